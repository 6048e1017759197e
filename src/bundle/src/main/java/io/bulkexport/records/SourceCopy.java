package io.bulkexport.records;

import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;

/**
 * The vendor's gzip file, copied byte for byte as the reader pulls it, kept so that it can be stored instead of
 * compressing the records again. That is only right while the records written are exactly the file's content, so
 * the writer hands every batch to {@link #take} first: a batch is taken only if it is verbatim (see
 * {@link RecordBatch#verbatim()}), its records lying back to back, each followed by its '\n'. At the end,
 * {@link #isWhole()} compares what was taken with the gzip trailer the copy ends with (CRC-32 and size of the
 * content), which also turns away a copy with bytes after its gzip data or made of several gzip members.
 * <p>
 * When a batch is not taken, {@link #decodeTaken} gives back what was taken so far, decoded from the copy, for the
 * writer to compress; the copy is then {@link #discard discarded}. The copy is written by the thread that reads the
 * source and read by the one that writes the records; the methods that touch the file are synchronized.
 */
final class SourceCopy implements Closeable {

    private static final int DECODE_CHUNK = 256 * 1024;
    private static final int GZIP_TRAILER = 8;
    private static final int GZIP_SMALLEST = 18 + 2; // header, an empty deflate block, trailer

    private final Path path;
    private final StoredBytes stored;
    private boolean released;

    private final CRC32 takenCrc = new CRC32();
    private long takenBytes;

    private SourceCopy(Path path, FileChannel channel) {
        this.path = path;
        this.stored = new StoredBytes(channel);
    }

    /** Creates (or truncates) {@code path} for the copy. */
    static SourceCopy create(Path path) throws IOException {
        return new SourceCopy(path, FileChannel.open(path, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    /** {@code in}, copying into this file whatever is read from it (until the copy is discarded). */
    InputStream tee(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = in.read();
                if (b >= 0) {
                    copy(new byte[] {(byte) b}, 0, 1);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n > 0) {
                    copy(b, off, n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                byte[] skipped = new byte[(int) Math.min(n, 8192)];
                int read = read(skipped, 0, skipped.length);
                return Math.max(read, 0);
            }
        };
    }

    private synchronized void copy(byte[] b, int off, int len) throws IOException {
        if (!released) {
            stored.write(b, off, len);
        }
    }

    /**
     * Counts the batch as written from the copy, if it is verbatim and its records lie back to back in its array,
     * each followed by '\n'; returns false (and counts nothing) otherwise.
     */
    boolean take(RecordBatch batch) {
        if (!batch.verbatim()) {
            return false;
        }
        int records = batch.size();
        if (records == 0) {
            return true;
        }
        byte[] data = batch.data();
        int from = batch.offset(0);
        int end = from;
        for (int i = 0; i < records; i++) {
            int offset = batch.offset(i);
            int newline = offset + batch.length(i);
            if (offset != end || newline >= data.length || data[newline] != '\n') {
                return false;
            }
            end = newline + 1;
        }
        takenCrc.update(data, from, end - from);
        takenBytes += end - from;
        return true;
    }

    /** Bytes of records (newlines included) taken so far. */
    long takenBytes() {
        return takenBytes;
    }

    /**
     * Whether the copy is one gzip member whose content is exactly what was taken: its trailer holds the CRC-32
     * and size (modulo 2^32) of the taken bytes. The reader has checked the copy's own trailer against its content.
     */
    synchronized boolean isWhole() throws IOException {
        long size = stored.count();
        if (released || size < GZIP_SMALLEST) {
            return false;
        }
        ByteBuffer trailer = ByteBuffer.allocate(GZIP_TRAILER).order(ByteOrder.LITTLE_ENDIAN);
        while (trailer.hasRemaining()) {
            if (stored.readAt(trailer, size - GZIP_TRAILER + trailer.position()) < 0) {
                return false;
            }
        }
        trailer.flip();
        long crc = Integer.toUnsignedLong(trailer.getInt());
        long isize = Integer.toUnsignedLong(trailer.getInt());
        return crc == takenCrc.getValue() && isize == (takenBytes & 0xFFFF_FFFFL);
    }

    /**
     * Decodes the copy from its start and hands {@link #takenBytes()} bytes of content to {@code sink}, in chunks:
     * the records taken so far, for a writer that now has to compress them itself.
     *
     * @throws IOException if the copy holds less than that (it cannot, short of a bug)
     */
    void decodeTaken(ChunkSink sink) throws IOException {
        if (takenBytes == 0) {
            return;
        }
        FileChannel reader;
        synchronized (this) {
            if (released) {
                throw new IllegalStateException("the copy of the source was discarded already: " + path);
            }
            reader = FileChannel.open(path, StandardOpenOption.READ);
        }
        try (InputStream decoded = new GZIPInputStream(Channels.newInputStream(reader), 64 * 1024)) {
            byte[] chunk = new byte[DECODE_CHUNK];
            long left = takenBytes;
            while (left > 0) {
                int n = decoded.read(chunk, 0, (int) Math.min(chunk.length, left));
                if (n < 0) {
                    throw new IOException("the copy of the source " + path + " decodes to less than the "
                            + takenBytes + " bytes of records already read from it");
                }
                sink.write(chunk, 0, n);
                left -= n;
            }
        }
    }

    /** Where {@link #decodeTaken} puts what it decodes. */
    @FunctionalInterface
    interface ChunkSink {
        void write(byte[] data, int offset, int length) throws IOException;
    }

    /** Bytes copied so far; after {@link #finish()}, the size of the file. */
    synchronized long size() {
        return stored.count();
    }

    /** The copy's file. */
    Path path() {
        return path;
    }

    /** Stops copying, forces the copy to disk if {@code durable} and closes it; returns its SHA-256 in hex. */
    synchronized String finish(boolean durable) throws IOException {
        released = true;
        return stored.finish(durable);
    }

    /** Stops copying and deletes the copy; the tee goes on passing the source through. Safe to call twice. */
    synchronized void discard() {
        released = true;
        try {
            stored.close();
        } catch (IOException ignored) {
            // deleting it is what matters
        }
        AtomicFiles.deleteQuietly(path);
    }

    /** Same as {@link #discard()}. */
    @Override
    public void close() {
        discard();
    }
}
