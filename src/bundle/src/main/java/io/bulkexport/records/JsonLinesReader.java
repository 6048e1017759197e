package io.bulkexport.records;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Splits a JSON Lines byte stream into {@link RecordBatch}es without decoding it. Lines are
 * read straight into the array that becomes the batch's backing array; only the unfinished
 * line at the end of a batch is copied into the next one. Arrays of released batches
 * ({@link RecordBatch#release()}) are filled again, so that a file is read through a few
 * arrays that stay in the processor's cache, instead of through fresh memory the size of the file.
 */
final class JsonLinesReader extends BatchReader {

    /** How much of an overlong line is kept as the quarantined raw bytes. */
    static final int OVERLONG_RAW_KEPT = 1024;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long LOW_BITS = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    /** Released arrays kept for the next batches; more than the few batches in flight are left to the GC. */
    private static final int SPARE_ARRAYS = 4;

    private final InputStream in;
    private final BlockingQueue<byte[]> spare = new ArrayBlockingQueue<>(SPARE_ARRAYS); // released on another thread
    private final int batchRecords;
    private final int batchBytes;
    private final int maxRecordBytes;
    private final int lineCapacity; // buffer size that holds any acceptable line plus "\r\n"

    private byte[] buf;
    private int start;      // first byte of the line not yet consumed
    private int scan;       // next byte to look at for '\n'
    private int limit;      // end of the bytes read into buf
    private long lineNumber; // lines consumed so far
    private boolean skipping; // inside an overlong line (already quarantined) until its '\n'
    private boolean eof;
    private boolean exact;    // every line of the batch so far is a record followed by '\n', nothing else (verbatim)

    private int count;
    private int[] offsets;
    private int[] lengths;
    private long[] lines;
    private List<QuarantinedRecord> quarantined;

    JsonLinesReader(InputStream in, String sourceFile, int batchRecords, int batchBytes, int maxRecordBytes) {
        super(sourceFile);
        this.in = in;
        this.batchRecords = batchRecords;
        this.batchBytes = batchBytes;
        this.maxRecordBytes = maxRecordBytes;
        this.lineCapacity = Math.max(maxRecordBytes + 2, OVERLONG_RAW_KEPT);
        this.buf = new byte[batchBytes];
        startNewBatch();
    }

    @Override
    protected String position() {
        return "line " + lineNumber;
    }

    @Override
    protected void closeSource() throws IOException {
        in.close();
    }

    @Override
    protected RecordBatch readBatch() throws IOException {
        while (true) {
            if (scan < limit) {
                int newline = indexOfNewline(buf, scan, limit);
                if (newline >= 0) {
                    endLine(newline);
                    start = scan = newline + 1;
                    if (count + quarantined.size() >= batchRecords) {
                        return emit();
                    }
                    continue;
                }
                scan = limit;
                if (skipping) {
                    limit = scan = start; // drop what we have of the overlong line
                    exact = false;
                }
            }
            if (eof) {
                if (skipping) {
                    skipping = false;
                } else if (start < limit) {
                    endLine(limit); // last line without a trailing newline
                    exact = false;
                }
                start = scan = limit;
                return count + quarantined.size() > 0 ? emit() : null;
            }
            if (limit == buf.length) {
                if (count > 0) {
                    return emit();
                }
                makeRoom();
            }
            int n = in.read(buf, limit, buf.length - limit);
            if (n < 0) {
                eof = true;
            } else {
                limit += n;
            }
        }
    }

    /** Handles the line {@code buf[start..end)}, where {@code end} is a '\n' or the end of input. */
    private void endLine(int end) {
        if (skipping) {
            skipping = false; // counted and quarantined when it overflowed
            exact = false;
            return;
        }
        lineNumber++;
        int from = lineNumber == 1 ? skipBom(start, end) : start;
        int to = end > from && buf[end - 1] == '\r' ? end - 1 : end;
        if (from != start || to != end) {
            exact = false;
        }
        if (isBlank(buf, from, to)) {
            exact = false;
            return;
        }
        if (to - from > maxRecordBytes) {
            quarantineOverlong(from, to);
            return;
        }
        if (count == offsets.length) {
            int grown = (int) Math.min(batchRecords, 2L * count);
            offsets = Arrays.copyOf(offsets, grown);
            lengths = Arrays.copyOf(lengths, grown);
            lines = Arrays.copyOf(lines, grown);
        }
        offsets[count] = from;
        lengths[count] = to - from;
        lines[count] = lineNumber;
        count++;
    }

    /** The buffer is full and holds no finished record: compact it, grow it, or give up on the line. */
    private void makeRoom() {
        int pending = limit - start;
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, pending);
            scan -= start;
            limit = pending;
            start = 0;
        } else if (buf.length < lineCapacity) {
            buf = Arrays.copyOf(buf, (int) Math.min(lineCapacity, 2L * buf.length));
        } else { // longer than maxRecordBytes even if a '\r' follows: keep its head, skip the rest
            lineNumber++;
            int from = lineNumber == 1 ? skipBom(0, limit) : 0;
            quarantineOverlong(from, limit);
            skipping = true;
            start = scan = limit = 0;
        }
    }

    private void quarantineOverlong(int from, int to) {
        exact = false;
        byte[] raw = Arrays.copyOfRange(buf, from, Math.min(to, from + OVERLONG_RAW_KEPT));
        quarantined.add(new QuarantinedRecord(lineNumber,
                "record longer than " + maxRecordBytes + " bytes", raw));
    }

    /** Hands out the current batch and moves the unfinished line into a fresh buffer. */
    private RecordBatch emit() {
        RecordBatch batch = new RecordBatch(sourceFile, buf, offsets, lengths, lines, count, quarantined);
        if (exact) {
            batch.markVerbatim();
        }
        if (buf.length == batchBytes) {
            batch.returnDataTo(spare::offer);
        }
        int pending = limit - start;
        if (eof && pending == 0) {
            buf = new byte[0];
        } else {
            byte[] next = newArray((int) Math.max(batchBytes, Math.min(2L * pending, lineCapacity)));
            System.arraycopy(buf, start, next, 0, pending);
            buf = next;
        }
        scan -= start;
        limit = pending;
        start = 0;
        startNewBatch();
        return batch;
    }

    /** A released array if one is free and of the usual size, otherwise a new one. */
    private byte[] newArray(int size) {
        byte[] reused = size == batchBytes ? spare.poll() : null;
        return reused != null ? reused : new byte[size];
    }

    private void startNewBatch() {
        int capacity = Math.min(batchRecords, 256);
        count = 0;
        offsets = new int[capacity];
        lengths = new int[capacity];
        lines = new long[capacity];
        quarantined = new ArrayList<>(0);
        exact = true;
    }

    private int skipBom(int from, int to) {
        if (to - from >= 3 && buf[from] == (byte) 0xEF && buf[from + 1] == (byte) 0xBB
                && buf[from + 2] == (byte) 0xBF) {
            return from + 3;
        }
        return from;
    }

    private static boolean isBlank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c != ' ' && c != '\t' && c != '\r') {
                return false;
            }
        }
        return true;
    }

    /** Index of the first '\n' in {@code b[from..to)}, or -1; looks at eight bytes per step. */
    static int indexOfNewline(byte[] b, int from, int to) {
        int i = from;
        for (; i <= to - Long.BYTES; i += Long.BYTES) {
            long x = (long) LONGS.get(b, i) ^ NEWLINES; // zero bytes where b has '\n'
            long zeros = (x - LOW_BITS) & ~x & HIGH_BITS;  // exact for the lowest zero byte
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
