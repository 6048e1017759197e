package io.bulkexport.records;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

import io.bulkexport.metrics.ExportMeters;

/**
 * Opens a source stream as batches of records, undoing its transfer encoding and splitting it by
 * its format. By default each opened stream is read on its own daemon thread a couple of batches
 * ahead of the consumer, so decompression overlaps validation and writing.
 * Configure an instance ({@link #withDecompressionLimit}, {@link #withMeters}) before it is shared; it holds no state
 * of the streams it opens, so threads may then share it.
 */
public final class RecordReaders {

    /** Accepted values of the {@code encoding} argument (case-insensitive; {@code null} means identity). */
    public static final String ACCEPTED_ENCODINGS = "gzip, x-gzip, identity, none";
    /** Accepted values of the {@code format} argument (case-insensitive): JSON Lines, or CSV with a header row. */
    public static final String ACCEPTED_FORMATS = "jsonl (or json, ndjson), csv";

    /** Batches read ahead per open stream unless configured otherwise. */
    public static final int DEFAULT_READ_AHEAD_BATCHES = 2;

    private static final int GZIP_BUFFER = 64 * 1024;

    private final int batchRecords;
    private final int batchBytes;
    private final int maxRecordBytes;
    private final int readAheadBatches;

    private DecompressionLimit limit = DecompressionLimit.NONE;
    private ExportMeters meters = ExportMeters.NONE;

    /** Batches of up to 1000 records or about 256 KiB, records of up to 16 MiB, read 2 batches ahead. */
    public RecordReaders() {
        // batches stay under 512 KiB: on a small heap (G1 regions of 1 MiB) larger arrays are "humongous" objects,
        // which cost many extra collections (measured with bench/run.sh at -Xmx256m)
        this(1000, 256 * 1024, 16 * 1024 * 1024);
    }

    /**
     * Batches of up to {@code batchRecords} records or about {@code batchBytes} bytes; lines longer
     * than {@code maxRecordBytes} are quarantined instead of read. Reads 2 batches ahead.
     */
    public RecordReaders(int batchRecords, int batchBytes, int maxRecordBytes) {
        this(batchRecords, batchBytes, maxRecordBytes, DEFAULT_READ_AHEAD_BATCHES);
    }

    /**
     * As {@link #RecordReaders(int, int, int)}, reading each stream on its own thread up to
     * {@code readAheadBatches} batches ahead of the consumer, or on the consumer's thread if 0.
     */
    public RecordReaders(int batchRecords, int batchBytes, int maxRecordBytes, int readAheadBatches) {
        if (readAheadBatches < 0) {
            throw new IllegalArgumentException("readAheadBatches must not be negative, got " + readAheadBatches);
        }
        if (batchRecords < 1 || batchBytes < 1 || maxRecordBytes < 1) {
            throw new IllegalArgumentException("batchRecords, batchBytes and maxRecordBytes must be positive, got "
                    + batchRecords + ", " + batchBytes + ", " + maxRecordBytes);
        }
        if (maxRecordBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxRecordBytes too large: " + maxRecordBytes);
        }
        this.batchRecords = batchRecords;
        this.batchBytes = batchBytes;
        this.maxRecordBytes = maxRecordBytes;
        this.readAheadBatches = readAheadBatches;
    }

    /** Bounds what a file may decode to; the default is no bound. */
    public RecordReaders withDecompressionLimit(DecompressionLimit limit) {
        this.limit = limit;
        return this;
    }

    /** Reports the bytes of each file read (over the wire and decoded) as its stream closes; the default counts nothing. */
    public RecordReaders withMeters(ExportMeters meters) {
        this.meters = meters;
        return this;
    }

    /**
     * Reads {@code raw}, decoded per {@code encoding} ("gzip" or "identity"/"none"/null) and split
     * per {@code format}: "jsonl" (one JSON object a line) or "csv" (a header row, then one JSON
     * object per row with the header's names as keys and string values). The returned iterator owns the stream and closes it at the end
     * or on {@link RecordBatchIterator#close()}; close it if you stop early, which also ends its
     * read-ahead thread.
     *
     * @throws IllegalArgumentException for an unknown encoding or format (the stream is closed)
     * @throws NotGzipException if the stream does not start like gzip although the encoding says so
     * @throws UncheckedIOException if reading the start of a gzip stream fails
     */
    public RecordBatchIterator open(InputStream raw, String encoding, String format, String sourceFile) {
        Objects.requireNonNull(raw, "raw");
        try {
            String formatName = formatName(format, sourceFile);
            InputStream decoded = decode(raw, encoding, sourceFile);
            return split(decoded, formatName, sourceFile);
        } catch (RuntimeException e) {
            closeQuietly(raw, e);
            throw e;
        }
    }

    /**
     * Whether {@link #open} reads a source with this encoding and format as gzip-compressed JSON Lines: the one kind
     * whose compressed bytes a gzip output can keep as they are (see {@link RecordFileWriter#keepSource}).
     */
    public static boolean isGzipJsonLines(String encoding, String format) {
        String name = encoding == null ? "" : encoding.trim().toLowerCase(Locale.ROOT);
        return (name.equals("gzip") || name.equals("x-gzip")) && "jsonl".equals(knownFormat(format));
    }

    private static String formatName(String format, String sourceFile) {
        String name = knownFormat(format);
        if (name == null) {
            throw new IllegalArgumentException("unsupported format '" + format + "' for " + sourceFile
                    + "; accepted: " + ACCEPTED_FORMATS);
        }
        return name;
    }

    /** The format's canonical name, or null if it is not one of {@link #ACCEPTED_FORMATS}. */
    private static String knownFormat(String format) {
        String name = format == null ? "" : format.trim().toLowerCase(Locale.ROOT);
        return switch (name) {
            case "jsonl", "json", "ndjson" -> "jsonl";
            case "csv" -> "csv";
            default -> null;
        };
    }

    private InputStream decode(InputStream raw, String encoding, String sourceFile) {
        String name = encoding == null ? "" : encoding.trim().toLowerCase(Locale.ROOT);
        switch (name) {
            case "", "identity", "none":
                return limit.bound(raw, null, sourceFile, meters);
            case "gzip", "x-gzip":
                try {
                    DecompressionLimit.Counting compressed =
                            new DecompressionLimit.Counting(gzipSignature(raw, sourceFile));
                    return limit.bound(new GZIPInputStream(compressed, GZIP_BUFFER), compressed, sourceFile, meters);
                } catch (IOException e) {
                    throw new UncheckedIOException("source " + sourceFile + " has encoding " + encoding
                            + " but is not a gzip stream: " + e.getMessage(), e);
                }
            default:
                throw new IllegalArgumentException("unsupported encoding '" + encoding + "' for " + sourceFile
                        + "; accepted: " + ACCEPTED_ENCODINGS);
        }
    }

    /**
     * The stream, once its first two bytes are seen to be gzip's signature (1f 8b). Anything else — most often JSON
     * text sent uncompressed, or an HTML error page answered with 200 — is refused with {@link NotGzipException},
     * which is not retried. A stream too short to tell is left to the gzip reader, whose end-of-file is a truncated
     * download, retried.
     */
    private static InputStream gzipSignature(InputStream raw, String sourceFile) throws IOException {
        PushbackInputStream in = new PushbackInputStream(raw, 2);
        byte[] head = in.readNBytes(2);
        in.unread(head);
        if (head.length == 2 && (head[0] != (byte) 0x1f || head[1] != (byte) 0x8b)) {
            throw new NotGzipException(sourceFile + " should be gzip but is not: it starts with " + looksLike(head)
                    + ", not gzip's 1f 8b; not retried, since fetching it again would give the same bytes");
        }
        return in;
    }

    /** What a file's first bytes suggest, without quoting its content. */
    private static String looksLike(byte[] head) {
        String hex = String.format("%02x %02x", head[0], head[1]);
        return switch (head[0]) {
            case '{', '[' -> hex + " ('" + (char) head[0] + "': JSON text, uncompressed?)";
            case '<' -> hex + " ('<': an HTML or XML page?)";
            default -> hex;
        };
    }

    /** Picks the splitter for a checked format name. */
    private RecordBatchIterator split(InputStream in, String formatName, String sourceFile) {
        switch (formatName) {
            case "jsonl":
                return readAhead(new JsonLinesReader(in, sourceFile, batchRecords, batchBytes, maxRecordBytes), sourceFile);
            case "csv":
                return readAhead(new CsvRecordReader(in, sourceFile, batchRecords, batchBytes, maxRecordBytes), sourceFile);
            default:
                throw new IllegalStateException("no splitter for format " + formatName);
        }
    }

    private RecordBatchIterator readAhead(RecordBatchIterator batches, String sourceFile) {
        return readAheadBatches == 0 ? batches
                : new ReadAheadIterator(batches, readAheadBatches, "read-ahead " + sourceFile);
    }

    private static void closeQuietly(InputStream in, RuntimeException cause) {
        try {
            in.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
