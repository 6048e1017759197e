package io.bulkexport.sandbox;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/**
 * Writes text lines as UTF-8 through gzip into a stream, reusing its buffers, so a file of any size is
 * streamed without being held in memory. {@link #close()} finishes the gzip stream but leaves the
 * target stream open.
 */
public final class GzipLinesWriter implements Closeable {

    private static final int BUFFER_BYTES = 64 * 1024;

    private final GZIPOutputStream gzip;
    private final CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder();
    private ByteBuffer pending = ByteBuffer.allocate(BUFFER_BYTES);

    /** Starts a gzip stream on {@code target} at this {@link java.util.zip.Deflater} level. */
    public GzipLinesWriter(OutputStream target, int level) throws IOException {
        this.gzip = new LeveledGzip(new NonClosingOutputStream(target), level);
    }

    /** Writes one line; a newline is added. */
    public void writeLine(CharSequence line) throws IOException {
        int worstCase = line.length() * 3 + 1;
        if (pending.remaining() < worstCase) {
            drain();
            if (pending.capacity() < worstCase) {
                pending = ByteBuffer.allocate(worstCase);
            }
        }
        encoder.reset();
        CoderResult result = encoder.encode(CharBuffer.wrap(line), pending, true);
        if (result.isError()) {
            throw new IOException("line is not valid UTF-16 text: " + result);
        }
        encoder.flush(pending);
        pending.put((byte) '\n');
    }

    /** Finishes the gzip stream and flushes the target. */
    @Override
    public void close() throws IOException {
        try {
            drain();
        } finally {
            gzip.close();
        }
    }

    private void drain() throws IOException {
        if (pending.position() > 0) {
            gzip.write(pending.array(), 0, pending.position());
            pending.clear();
        }
    }

    private static final class LeveledGzip extends GZIPOutputStream {
        LeveledGzip(OutputStream out, int level) throws IOException {
            super(out, BUFFER_BYTES);
            def.setLevel(level);
        }
    }
}
