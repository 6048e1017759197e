package io.bulkexport.records;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The end of an output chain: writes the bytes that are stored to a file channel, counting them and hashing them
 * (SHA-256) on the way. Not thread-safe.
 */
final class StoredBytes extends OutputStream {
    private final FileChannel channel;
    private final MessageDigest sha256 = newSha256();
    private long count;

    StoredBytes(FileChannel channel) {
        this.channel = channel;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] src, int offset, int length) throws IOException {
        sha256.update(src, offset, length);
        ByteBuffer bytes = ByteBuffer.wrap(src, offset, length);
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        count += length;
    }

    /** Bytes stored so far. */
    long count() {
        return count;
    }

    /** Reads stored bytes at {@code position} into {@code into}; returns how many, or -1 past the end. */
    int readAt(ByteBuffer into, long position) throws IOException {
        return channel.read(into, position);
    }

    /** Forces the bytes to disk if asked ({@code durable}) and closes the file; returns their SHA-256 in hex. */
    String finish(boolean durable) throws IOException {
        if (durable) {
            channel.force(true);
        }
        channel.close();
        return HexFormat.of().formatHex(sha256.digest());
    }

    /** Closes the file without forcing it. */
    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime must provide SHA-256", e);
        }
    }
}
