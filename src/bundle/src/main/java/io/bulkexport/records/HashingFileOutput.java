package io.bulkexport.records;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * A buffered file output that counts and SHA-256-hashes what it stores, optionally gzip-compressing the lines on
 * the way (the count and hash are then of the compressed bytes, as stored). The digest is updated once per flushed
 * buffer rather than per record, which keeps its per-call cost out of the loop.
 */
final class HashingFileOutput implements Closeable {

    static final int BUFFER_SIZE = 256 * 1024;
    /** Fastest deflate level: on this data it compresses almost as well as the default, at several times the speed. */
    static final int GZIP_LEVEL = Deflater.BEST_SPEED;

    private final StoredBytes stored;
    private final OutputStream encoder;
    private final byte[] buffer = new byte[BUFFER_SIZE];
    private int position;
    private long accepted;

    private HashingFileOutput(FileChannel channel, Compression compression) throws IOException {
        this.stored = new StoredBytes(channel);
        this.encoder = compression == Compression.GZIP ? new FastGzip(stored) : stored;
    }

    /** Creates {@code file}, truncating any existing one. */
    static HashingFileOutput create(Path file, Compression compression) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        try {
            return new HashingFileOutput(channel, compression);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Writes {@code length} bytes followed by one '\n'. */
    void writeLine(byte[] src, int offset, int length) throws IOException {
        if (length < buffer.length - position) {
            System.arraycopy(src, offset, buffer, position, length);
            position += length;
            buffer[position++] = '\n';
            return;
        }
        flushBuffer();
        if (length < buffer.length) {
            System.arraycopy(src, offset, buffer, 0, length);
            position = length;
        } else {
            writeThrough(src, offset, length);
        }
        buffer[position++] = '\n';
    }

    /** Writes bytes of whole lines, newlines included. */
    void write(byte[] src, int offset, int length) throws IOException {
        flushBuffer();
        writeThrough(src, offset, length);
    }

    /** Bytes of lines written so far, newlines included, before any compression. */
    long lineBytes() {
        return accepted + position;
    }

    /** Bytes stored in the file so far; after {@link #finish()}, its size. */
    long storedBytes() {
        return stored.count();
    }

    /** Flushes (ending the gzip stream), forces the data to disk if {@code durable}, closes; returns the SHA-256 in hex. */
    String finish(boolean durable) throws IOException {
        flushBuffer();
        if (encoder != stored) {
            ((GZIPOutputStream) encoder).finish();
        }
        return stored.finish(durable);
    }

    @Override
    public void close() throws IOException {
        stored.close();
    }

    private void flushBuffer() throws IOException {
        if (position > 0) {
            writeThrough(buffer, 0, position);
            position = 0;
        }
    }

    private void writeThrough(byte[] src, int offset, int length) throws IOException {
        encoder.write(src, offset, length);
        accepted += length;
    }

    /** Gzip at {@link #GZIP_LEVEL}, with an output buffer as large as the line buffer. */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, BUFFER_SIZE);
            def.setLevel(GZIP_LEVEL);
        }
    }
}
