package io.bulkexport.records;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Small helpers for building test input and draining readers. */
final class TestStreams {

    private TestStreams() {
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A stream that hands out at most {@code chunk} bytes per read, to split lines across reads. */
    static InputStream trickle(byte[] data, int chunk) {
        return new FilterInputStream(new ByteArrayInputStream(data)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    /**
     * Every batch, each copied before the next is asked for: a reader may fill a batch's array again once the next
     * batch is asked for (see {@link ReadAheadIterator}), so batches cannot just be collected.
     */
    static List<RecordBatch> drain(RecordBatchIterator batches) {
        List<RecordBatch> all = new ArrayList<>();
        try (batches) {
            batches.forEachRemaining(batch -> all.add(snapshot(batch)));
        }
        return all;
    }

    /** A copy of {@code batch} with arrays of its own, verbatim if it is. */
    static RecordBatch snapshot(RecordBatch batch) {
        int size = batch.size();
        int[] offsets = new int[size];
        int[] lengths = new int[size];
        long[] lines = new long[size];
        for (int i = 0; i < size; i++) {
            offsets[i] = batch.offset(i);
            lengths[i] = batch.length(i);
            lines[i] = batch.line(i);
        }
        RecordBatch copy = new RecordBatch(batch.sourceFile(), batch.data().clone(), offsets, lengths, lines, size,
                new ArrayList<>(batch.quarantined()));
        if (batch.verbatim()) {
            copy.markVerbatim();
        }
        return copy;
    }

    static List<String> texts(List<RecordBatch> batches) {
        List<String> texts = new ArrayList<>();
        for (RecordBatch batch : batches) {
            for (int i = 0; i < batch.size(); i++) {
                texts.add(batch.text(i));
            }
        }
        return texts;
    }

    static List<Long> lineNumbers(List<RecordBatch> batches) {
        List<Long> lines = new ArrayList<>();
        for (RecordBatch batch : batches) {
            for (int i = 0; i < batch.size(); i++) {
                lines.add(batch.line(i));
            }
        }
        return lines;
    }

    static List<QuarantinedRecord> quarantined(List<RecordBatch> batches) {
        List<QuarantinedRecord> all = new ArrayList<>();
        batches.forEach(batch -> all.addAll(batch.quarantined()));
        return all;
    }
}
