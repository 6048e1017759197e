package io.bulkexport.records;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.bulkexport.records.TestStreams.drain;
import static io.bulkexport.records.TestStreams.gzip;
import static io.bulkexport.records.TestStreams.texts;
import static io.bulkexport.records.TestStreams.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReadAheadIteratorTest {

    private static String lines(int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append("{\"n\":").append(i).append(",\"s\":\"ж\"}\n");
        }
        return text.toString();
    }

    @Test
    void delivers_the_same_batches_in_order() {
        byte[] input = utf8(lines(5000));
        List<RecordBatch> direct = drain(new RecordReaders(7, 100, 1024, 0)
                .open(new ByteArrayInputStream(input), null, "jsonl", "x"));
        List<RecordBatch> ahead = drain(new RecordReaders(7, 100, 1024, 1)
                .open(new ByteArrayInputStream(input), null, "jsonl", "x"));
        assertThat(texts(ahead)).hasSize(5000).isEqualTo(texts(direct));
        assertThat(ahead).hasSameSizeAs(direct);
    }

    @Test
    void fills_the_arrays_of_batches_again_only_once_the_next_is_asked_for() throws Exception {
        int count = 20_000;
        Set<byte[]> arrays = Collections.newSetFromMap(new IdentityHashMap<>());
        int batchCount = 0;
        long expectedLine = 1;
        try (RecordBatchIterator batches = new RecordReaders(1000, 512, 1024, 2) // batches of 512 bytes at most
                .open(new ByteArrayInputStream(utf8(lines(count))), null, "jsonl", "x")) {
            while (batches.hasNext()) {
                RecordBatch batch = batches.next();
                batchCount++;
                arrays.add(batch.data());
                if (batchCount % 50 == 0) {
                    Thread.sleep(2); // the reader runs ahead and fills every array it may
                }
                for (int i = 0; i < batch.size(); i++) {
                    assertThat(batch.line(i)).isEqualTo(expectedLine);
                    assertThat(batch.text(i)).isEqualTo("{\"n\":" + (expectedLine - 1) + ",\"s\":\"ж\"}");
                    expectedLine++;
                }
            }
        }
        assertThat(expectedLine - 1).isEqualTo(count);
        assertThat(batchCount).isGreaterThan(500);
        assertThat(arrays.size()).as("arrays for %d batches", batchCount).isLessThan(10);
    }

    @Test
    void failure_arrives_after_the_good_batches_and_keeps_its_cause() {
        byte[] full = gzip(utf8(lines(50_000)));
        byte[] truncated = Arrays.copyOf(full, full.length / 2);
        RecordBatchIterator batches = new RecordReaders(100, 4096, 1024, 2)
                .open(new ByteArrayInputStream(truncated), "gzip", "jsonl", "cut.gz");
        List<RecordBatch> seen = new ArrayList<>();
        assertThatThrownBy(() -> batches.forEachRemaining(seen::add))
                .isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(EOFException.class);
        assertThat(seen).isNotEmpty();
        assertThat(batches.hasNext()).as("reported once: the iteration is over").isFalse();
        batches.close();
    }

    @Test
    void closing_early_stops_the_thread_and_closes_the_stream() throws Exception {
        AtomicBoolean closed = new AtomicBoolean();
        InputStream in = new ByteArrayInputStream(utf8(lines(100_000))) {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        RecordBatchIterator batches = new RecordReaders(10, 1024, 1024, 1).open(in, null, "jsonl", "early-close");
        assertThat(batches.next().size()).isEqualTo(10);
        Thread.sleep(50); // let the reader block on the full queue
        batches.close();
        assertThat(closed).isTrue();
        assertThat(batches.hasNext()).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.getName().equals("read-ahead early-close")));
    }

    @Test
    void closing_while_the_reader_is_stuck_in_a_read_closes_the_stream_under_it() {
        CountDownLatch closed = new CountDownLatch(1);
        InputStream stalled = new InputStream() {
            @Override
            public int read() throws IOException {
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("stream closed");
            }

            @Override
            public void close() {
                closed.countDown();
            }
        };
        RecordBatchIterator batches = new RecordReaders(10, 1024, 1024, 1).open(stalled, null, "jsonl", "stalled");
        long started = System.nanoTime();
        batches.close();
        assertThat(closed.getCount()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(batches.hasNext()).isFalse();
    }
}
