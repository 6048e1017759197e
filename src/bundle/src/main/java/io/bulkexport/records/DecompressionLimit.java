package io.bulkexport.records;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

import io.bulkexport.metrics.ExportMeters;

/**
 * Stops a decompression bomb: a file that decodes to more than a size bound, or to more than a ratio of its
 * compressed size (checked once a few MB are out, so small files are not judged on their first bytes).
 */
public record DecompressionLimit(long maxBytes, double maxRatio) {
    /** Below this much decoded output, the ratio is not judged yet. */
    static final long RATIO_GRACE_BYTES = 16L * 1024 * 1024;

    /** No bound at all. */
    public static final DecompressionLimit NONE = new DecompressionLimit(Long.MAX_VALUE, Double.POSITIVE_INFINITY);

    /**
     * The decoded stream, bounded. {@code compressed} counts what was read from the wire; null when not compressed.
     * Closing it reports the bytes read, over the wire and decoded, to {@code meters} (once).
     */
    InputStream bound(InputStream decoded, Counting compressed, String sourceFile, ExportMeters meters) {
        return new FilterInputStream(decoded) {
            private long out;
            private boolean reported;

            @Override
            public void close() throws IOException {
                if (!reported) {
                    reported = true;
                    meters.bytesRead(compressed == null ? out : compressed.count, out);
                }
                super.close();
            }

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    check(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    check(n);
                }
                return n;
            }

            private void check(int n) {
                out += n;
                if (out > maxBytes) {
                    throw new DecompressionBombException(sourceFile + " decodes to more than " + mb(maxBytes)
                            + " (bulkexport.decode.max-bytes): stopped");
                }
                if (compressed != null && out > RATIO_GRACE_BYTES && out > maxRatio * Math.max(1, compressed.count)) {
                    throw new DecompressionBombException(sourceFile + " decodes to more than " + (long) maxRatio
                            + " times its compressed size (" + mb(out) + " from " + mb(compressed.count)
                            + "), a decompression bomb? Stopped (bulkexport.decode.max-ratio)");
                }
            }
        };
    }

    private static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }

    /** Counts the bytes read through it. */
    static final class Counting extends FilterInputStream {
        private long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    /** A file that decodes past the bounds; not retried, since fetching it again gives the same bytes. */
    public static class DecompressionBombException extends IllegalStateException
            implements io.bulkexport.run.Retries.NotRetryable {
        public DecompressionBombException(String message) {
            super(message);
        }
    }
}
