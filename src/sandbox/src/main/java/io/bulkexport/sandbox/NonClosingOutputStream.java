package io.bulkexport.sandbox;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Passes writes through but only flushes on close, so wrapping streams (gzip) cannot close the target. */
final class NonClosingOutputStream extends FilterOutputStream {

    NonClosingOutputStream(OutputStream target) {
        super(target);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
