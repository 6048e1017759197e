package io.bulkexport.records;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Consecutive records of one source file, kept as bytes: one backing array plus an offset,
 * length and 1-based source line number per record, and the lines quarantined so far.
 * A batch is not thread-safe; hand it from stage to stage, not to several threads at once.
 */
public final class RecordBatch {

    /** Decides whether one record is acceptable. */
    @FunctionalInterface
    public interface Check {
        /** Returns {@code null} if the record is fine, otherwise a short reason to quarantine it. */
        String problem(byte[] data, int offset, int length);
    }

    private final String sourceFile;
    private final byte[] data;
    private final int[] offsets;
    private final int[] lengths;
    private final long[] lines;
    private int size;
    private final List<QuarantinedRecord> quarantined;
    private boolean verbatim;
    private Consumer<byte[]> owner; // takes the backing array back for another batch, see release()

    /**
     * Wraps records that already sit in {@code data}; the arrays are taken over, not copied.
     * {@code quarantined} may be {@code null} for none.
     */
    public RecordBatch(String sourceFile, byte[] data, int[] offsets, int[] lengths, long[] lines,
                       int size, List<QuarantinedRecord> quarantined) {
        if (size < 0 || size > offsets.length || size > lengths.length || size > lines.length) {
            throw new IllegalArgumentException("size " + size + " does not fit the index arrays");
        }
        this.sourceFile = sourceFile;
        this.data = Objects.requireNonNull(data, "data");
        this.offsets = offsets;
        this.lengths = lengths;
        this.lines = lines;
        this.size = size;
        this.quarantined = quarantined == null ? new ArrayList<>() : quarantined;
    }

    /** Builds a batch from whole lines of text (no newlines inside), numbered from 1; handy in tests. */
    public static RecordBatch ofLines(String sourceFile, String... records) {
        byte[][] encoded = new byte[records.length][];
        int total = 0;
        for (int i = 0; i < records.length; i++) {
            encoded[i] = records[i].getBytes(StandardCharsets.UTF_8);
            total += encoded[i].length;
        }
        byte[] data = new byte[total];
        int[] offsets = new int[records.length];
        int[] lengths = new int[records.length];
        long[] lines = new long[records.length];
        int at = 0;
        for (int i = 0; i < records.length; i++) {
            System.arraycopy(encoded[i], 0, data, at, encoded[i].length);
            offsets[i] = at;
            lengths[i] = encoded[i].length;
            lines[i] = i + 1;
            at += encoded[i].length;
        }
        return new RecordBatch(sourceFile, data, offsets, lengths, lines, records.length, null);
    }

    /** The source file these records came from, as given to the reader. */
    public String sourceFile() {
        return sourceFile;
    }

    /** Number of records still kept (quarantined ones are not counted). */
    public int size() {
        return size;
    }

    /** The shared backing array; record {@code i} is {@code data()[offset(i) .. offset(i)+length(i))}. */
    public byte[] data() {
        return data;
    }

    /** Start of record {@code i} in {@link #data()}. */
    public int offset(int i) {
        return offsets[Objects.checkIndex(i, size)];
    }

    /** Length in bytes of record {@code i}, without line terminator. */
    public int length(int i) {
        return lengths[Objects.checkIndex(i, size)];
    }

    /** 1-based line number of record {@code i} in the source file. */
    public long line(int i) {
        return lines[Objects.checkIndex(i, size)];
    }

    /** A copy of record {@code i}'s bytes. Not for the hot path. */
    public byte[] copyOf(int i) {
        int offset = offset(i);
        return Arrays.copyOfRange(data, offset, offset + lengths[i]);
    }

    /** Record {@code i} decoded as UTF-8. Not for the hot path. */
    public String text(int i) {
        return new String(data, offset(i), lengths[i], StandardCharsets.UTF_8);
    }

    /** Total bytes of the kept records, without line terminators. */
    public long recordBytes() {
        long total = 0;
        for (int i = 0; i < size; i++) {
            total += lengths[i];
        }
        return total;
    }

    /**
     * Whether writing these records, each followed by '\n', gives back exactly the source bytes they were read from,
     * and the batch follows the previous one in the source with nothing in between: no line skipped, trimmed or
     * quarantined. Only a reader can say so (see {@link #markVerbatim()}); a quarantined line takes it back.
     */
    public boolean verbatim() {
        return verbatim && quarantined.isEmpty();
    }

    /** Said by the reader that made the batch, when {@link #verbatim()} holds. */
    void markVerbatim() {
        verbatim = true;
    }

    /** Said by the reader that made the batch: {@link #release()} hands the backing array back to {@code owner}. */
    void returnDataTo(Consumer<byte[]> owner) {
        this.owner = owner;
    }

    /**
     * Says that nobody will look at this batch again, so its reader may fill the backing array with later records
     * (at most once; a batch whose reader did not ask for it back is left alone). Called by {@link ReadAheadIterator}
     * when the consumer asks for the next batch.
     */
    void release() {
        Consumer<byte[]> taker = owner;
        owner = null;
        if (taker != null) {
            taker.accept(data);
        }
    }

    /** The lines rejected so far, in the order they were rejected (read-only view). */
    public List<QuarantinedRecord> quarantined() {
        return Collections.unmodifiableList(quarantined);
    }

    /**
     * Moves record {@code i} to quarantine; records after it shift down by one.
     * To filter a whole batch prefer {@link #quarantineFailing(Check)}, which is linear.
     */
    public void quarantine(int i, String reason) {
        Objects.checkIndex(i, size);
        quarantined.add(new QuarantinedRecord(lines[i], reason, copyOf(i)));
        int tail = size - i - 1;
        System.arraycopy(offsets, i + 1, offsets, i, tail);
        System.arraycopy(lengths, i + 1, lengths, i, tail);
        System.arraycopy(lines, i + 1, lines, i, tail);
        size--;
    }

    /**
     * Runs {@code check} over every kept record and moves the failing ones to quarantine in one
     * pass, keeping the order of the rest. Returns how many were quarantined.
     */
    public int quarantineFailing(Check check) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            int offset = offsets[i];
            int length = lengths[i];
            String problem = check.problem(data, offset, length);
            if (problem == null) {
                offsets[kept] = offset;
                lengths[kept] = length;
                lines[kept] = lines[i];
                kept++;
            } else {
                quarantined.add(new QuarantinedRecord(lines[i], problem,
                        Arrays.copyOfRange(data, offset, offset + length)));
            }
        }
        int removed = size - kept;
        size = kept;
        return removed;
    }

    /**
     * A new batch in which each kept record is replaced by what {@code transform} makes of it (none, one or several
     * records, each a JSON object written on one line), in order, each with its source line. A record the transform
     * fails for, or turns into something other than objects, goes to quarantine with the reason. This batch is left
     * as it was; the new one is not {@link #verbatim()} and owns its own array.
     */
    public RecordBatch transformed(io.bulkexport.RecordTransform transform, ObjectMapper json) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(Math.max(16, (int) recordBytes()));
        int[] newOffsets = new int[Math.max(1, size)];
        int[] newLengths = new int[newOffsets.length];
        long[] newLines = new long[newOffsets.length];
        List<QuarantinedRecord> rejected = new ArrayList<>(quarantined);
        int made = 0;
        for (int i = 0; i < size; i++) {
            List<byte[]> outputs = new ArrayList<>(1);
            String problem = null;
            try {
                for (JsonNode output : transform.apply(json.readTree(data, offsets[i], lengths[i]))) {
                    if (output == null || !output.isObject()) {
                        problem = "the transform made " + (output == null ? "null" : "a " + output.getNodeType()
                                .name().toLowerCase(java.util.Locale.ROOT)) + ", not a JSON object";
                        break;
                    }
                    outputs.add(json.writeValueAsBytes(output));
                }
            } catch (Exception e) {
                String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                problem = "the transform failed: " + (message.length() > 300 ? message.substring(0, 300) : message);
            }
            if (problem != null) {
                rejected.add(new QuarantinedRecord(lines[i], problem,
                        Arrays.copyOfRange(data, offsets[i], offsets[i] + lengths[i])));
                continue;
            }
            for (byte[] record : outputs) {
                if (made == newOffsets.length) {
                    newOffsets = Arrays.copyOf(newOffsets, made * 2);
                    newLengths = Arrays.copyOf(newLengths, made * 2);
                    newLines = Arrays.copyOf(newLines, made * 2);
                }
                newOffsets[made] = out.size();
                newLengths[made] = record.length;
                newLines[made] = lines[i];
                out.writeBytes(record);
                made++;
            }
        }
        return new RecordBatch(sourceFile, out.toByteArray(), newOffsets, newLengths, newLines, made, rejected);
    }

    @Override
    public String toString() {
        return "RecordBatch[" + sourceFile + ", records=" + size + ", quarantined=" + quarantined.size()
                + (size > 0 ? ", lines " + lines[0] + ".." + lines[size - 1] : "") + "]";
    }
}
