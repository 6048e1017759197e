package io.bulkexport.records;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A buffered file output that counts and SHA-256-hashes what it writes. The digest is updated
 * once per flushed buffer rather than per record, which keeps its per-call cost out of the loop.
 */
final class HashingFileOutput implements Closeable {

    static final int BUFFER_SIZE = 256 * 1024;

    private final FileChannel channel;
    private final MessageDigest sha256;
    private final byte[] buffer = new byte[BUFFER_SIZE];
    private int position;
    private long written;

    private HashingFileOutput(FileChannel channel) {
        this.channel = channel;
        this.sha256 = newSha256();
    }

    /** Creates {@code file}, truncating any existing one. */
    static HashingFileOutput create(Path file) throws IOException {
        return new HashingFileOutput(FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
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

    /** Bytes written so far, including newlines. */
    long written() {
        return written + position;
    }

    /** Flushes, hashes the rest, forces the data to disk and closes; returns the SHA-256 in hex. */
    String finish() throws IOException {
        flushBuffer();
        channel.force(true);
        channel.close();
        return HexFormat.of().formatHex(sha256.digest());
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private void flushBuffer() throws IOException {
        if (position > 0) {
            writeThrough(buffer, 0, position);
            position = 0;
        }
    }

    private void writeThrough(byte[] src, int offset, int length) throws IOException {
        sha256.update(src, offset, length);
        ByteBuffer bytes = ByteBuffer.wrap(src, offset, length);
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        written += length;
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime must provide SHA-256", e);
        }
    }
}
