package io.bulkexport.records;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.bulkexport.records.TestStreams.drain;
import static io.bulkexport.records.TestStreams.gzip;
import static io.bulkexport.records.TestStreams.lineNumbers;
import static io.bulkexport.records.TestStreams.quarantined;
import static io.bulkexport.records.TestStreams.texts;
import static io.bulkexport.records.TestStreams.trickle;
import static io.bulkexport.records.TestStreams.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordReadersTest {

    private final RecordReaders readers = new RecordReaders();

    private List<RecordBatch> read(String text) {
        return drain(readers.open(new ByteArrayInputStream(utf8(text)), "identity", "jsonl", "in.jsonl"));
    }

    @Test
    void splits_lines_and_numbers_them_from_one() {
        List<RecordBatch> batches = read("{\"a\":1}\n{\"a\":2}\n");
        assertThat(texts(batches)).containsExactly("{\"a\":1}", "{\"a\":2}");
        assertThat(lineNumbers(batches)).containsExactly(1L, 2L);
        assertThat(batches.get(0).sourceFile()).isEqualTo("in.jsonl");
    }

    @Test
    void strips_carriage_returns_of_crlf_lines() {
        assertThat(texts(read("{\"a\":1}\r\n{\"a\":2}\r\n"))).containsExactly("{\"a\":1}", "{\"a\":2}");
    }

    @Test
    void skips_blank_lines_but_counts_them() {
        List<RecordBatch> batches = read("\n{\"a\":1}\n   \n\t\r\n\n{\"a\":2}\n\n");
        assertThat(texts(batches)).containsExactly("{\"a\":1}", "{\"a\":2}");
        assertThat(lineNumbers(batches)).containsExactly(2L, 6L);
    }

    @Test
    void strips_byte_order_mark_at_file_start_only() {
        List<RecordBatch> batches = read("\uFEFF{\"a\":1}\n\uFEFF{\"a\":2}\n");
        assertThat(texts(batches)).containsExactly("{\"a\":1}", "\uFEFF{\"a\":2}");
    }

    @Test
    void byte_order_mark_alone_counts_as_blank_line() {
        List<RecordBatch> batches = read("\uFEFF\n{\"a\":1}");
        assertThat(texts(batches)).containsExactly("{\"a\":1}");
        assertThat(lineNumbers(batches)).containsExactly(2L);
    }

    @Test
    void reads_last_line_without_trailing_newline() {
        List<RecordBatch> batches = read("{\"a\":1}\n{\"a\":2}");
        assertThat(texts(batches)).containsExactly("{\"a\":1}", "{\"a\":2}");
        assertThat(lineNumbers(batches)).containsExactly(1L, 2L);
    }

    @Test
    void empty_stream_has_no_batches() {
        assertThat(read("")).isEmpty();
        assertThat(read("\n\n  \n")).isEmpty();
    }

    @Test
    void keeps_multi_byte_utf8_byte_exact() {
        String record = "{\"name\":\"Zoë Müller — 東京 \uD83D\uDE80\",\"note\":\"привет\"}";
        byte[] input = utf8(record + "\n");
        RecordBatch batch = drain(readers.open(trickle(input, 3), null, "jsonl", "x")).get(0);
        assertThat(batch.copyOf(0)).isEqualTo(utf8(record));
        assertThat(batch.length(0)).isEqualTo(input.length - 1);
    }

    @Test
    void records_split_across_reads_and_batches_come_out_whole() {
        StringBuilder text = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String record = "{\"n\":" + i + ",\"s\":\"" + "é".repeat(i % 37) + "\"}";
            expected.add(record);
            text.append(record).append(i % 3 == 0 ? "\r\n" : "\n");
        }
        RecordReaders small = new RecordReaders(7, 64, 1024);
        List<RecordBatch> batches = drain(small.open(trickle(utf8(text.toString()), 5), "none", "jsonl", "x"));
        assertThat(texts(batches)).isEqualTo(expected);
        assertThat(batches).hasSizeGreaterThan(200 / 7);
        assertThat(batches).allSatisfy(batch -> assertThat(batch.size()).isBetween(1, 7));
    }

    @Test
    void gzip_input_is_decoded() {
        byte[] input = gzip(utf8("{\"a\":1}\n{\"b\":\"ü\"}\n"));
        List<RecordBatch> batches = drain(readers.open(new ByteArrayInputStream(input), "GZIP", "jsonl", "x"));
        assertThat(texts(batches)).containsExactly("{\"a\":1}", "{\"b\":\"ü\"}");
    }

    @Test
    void matches_a_naive_split_on_random_input() {
        Random random = new Random(42);
        String[] pieces = {"{\"k\":\"v\"}", "ü", "東京", "\uD83D\uDE80", "x", " ", "\r", "\t", "[1]"};
        for (int round = 0; round < 200; round++) {
            StringBuilder text = new StringBuilder();
            int lines = random.nextInt(30);
            for (int l = 0; l < lines; l++) {
                int parts = random.nextInt(12);
                for (int p = 0; p < parts; p++) {
                    text.append(pieces[random.nextInt(pieces.length)]);
                }
                if (l < lines - 1 || random.nextBoolean()) {
                    text.append('\n');
                }
            }
            RecordReaders tiny = new RecordReaders(1 + random.nextInt(5), 1 + random.nextInt(40), 64, round % 2);
            List<RecordBatch> batches = drain(tiny.open(
                    trickle(utf8(text.toString()), 1 + random.nextInt(9)), "identity", "jsonl", "r"));
            assertThat(texts(batches)).as("round %d: %s", round, text).isEqualTo(naiveSplit(text.toString(), 64));
            assertThat(quarantined(batches)).as("round %d", round)
                    .allSatisfy(q -> assertThat(q.reason()).isEqualTo("record longer than 64 bytes"));
        }
    }

    /** The reference behaviour: split on '\n', drop one trailing '\r', skip blanks and too-long lines. */
    private static List<String> naiveSplit(String text, int maxBytes) {
        List<String> records = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (String line : lines) {
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (!line.isBlank() && line.chars().anyMatch(c -> c != ' ' && c != '\t' && c != '\r')
                    && utf8(line).length <= maxBytes) {
                records.add(line);
            }
        }
        return records;
    }

    @Test
    void overlong_line_is_quarantined_with_its_first_kib_and_reading_goes_on() {
        String longLine = "{\"big\":\"" + "ä".repeat(3000) + "\"}"; // about 6 KB
        String text = "{\"a\":1}\n" + longLine + "\n{\"a\":3}\n{\"a\":4}";
        for (int batchBytes : new int[] {16, 100, 1 << 20}) {
            RecordReaders limited = new RecordReaders(1000, batchBytes, 2000);
            List<RecordBatch> batches = drain(limited.open(trickle(utf8(text), 700), "identity", "jsonl", "x"));
            assertThat(texts(batches)).as("batchBytes %d", batchBytes)
                    .containsExactly("{\"a\":1}", "{\"a\":3}", "{\"a\":4}");
            assertThat(lineNumbers(batches)).containsExactly(1L, 3L, 4L);
            List<QuarantinedRecord> rejected = quarantined(batches);
            assertThat(rejected).hasSize(1);
            assertThat(rejected.get(0).line()).isEqualTo(2);
            assertThat(rejected.get(0).reason()).isEqualTo("record longer than 2000 bytes");
            assertThat(rejected.get(0).raw()).isEqualTo(Arrays.copyOf(utf8(longLine), 1024));
        }
    }

    @Test
    void overlong_last_line_without_newline_is_quarantined() {
        RecordReaders limited = new RecordReaders(1000, 32, 100);
        String text = "{\"a\":1}\n" + "x".repeat(5000);
        List<RecordBatch> batches = drain(limited.open(trickle(utf8(text), 64), "identity", "jsonl", "x"));
        assertThat(texts(batches)).containsExactly("{\"a\":1}");
        assertThat(quarantined(batches)).singleElement().satisfies(q -> {
            assertThat(q.line()).isEqualTo(2);
            assertThat(q.raw()).hasSize(1024);
        });
    }

    @Test
    void line_of_exactly_max_bytes_is_kept_even_with_crlf() {
        String record = "{\"s\":\"" + "y".repeat(92) + "\"}"; // 100 bytes
        RecordReaders limited = new RecordReaders(1000, 8, 100);
        List<RecordBatch> batches = drain(limited.open(
                trickle(utf8(record + "\r\n" + record + "y\r\n"), 3), "identity", "jsonl", "x"));
        assertThat(texts(batches)).containsExactly(record);
        assertThat(quarantined(batches)).extracting(QuarantinedRecord::line).containsExactly(2L);
    }

    @Test
    void truncated_gzip_fails_instead_of_ending_cleanly() {
        StringBuilder text = new StringBuilder();
        Random random = new Random(1);
        for (int i = 0; i < 5000; i++) {
            text.append("{\"n\":").append(random.nextLong()).append("}\n");
        }
        byte[] full = gzip(utf8(text.toString()));
        byte[] truncated = Arrays.copyOf(full, full.length / 2);
        RecordBatchIterator batches = readers.open(new ByteArrayInputStream(truncated), "gzip", "jsonl", "cut.gz");
        assertThatThrownBy(() -> batches.forEachRemaining(batch -> { }))
                .isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(EOFException.class)
                .hasMessageContaining("cut.gz");
        assertThat(batches.hasNext()).as("reported once: the iteration is over").isFalse();
    }

    @Test
    void gzip_missing_only_its_trailer_also_fails() {
        byte[] full = gzip(utf8("{\"a\":1}\n"));
        byte[] noTrailer = Arrays.copyOf(full, full.length - 8);
        RecordBatchIterator batches = readers.open(new ByteArrayInputStream(noTrailer), "gzip", "jsonl", "x");
        assertThatThrownBy(() -> batches.forEachRemaining(batch -> { }))
                .isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(EOFException.class);
    }

    @Test
    void plain_stream_declared_gzip_fails_clearly_and_is_closed() {
        AtomicBoolean closed = new AtomicBoolean();
        InputStream plain = new ByteArrayInputStream(utf8("{\"a\":1}\n")) {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        // not an IOException, nor caused by one: the download's error handling would retry it
        assertThatThrownBy(() -> readers.open(plain, "gzip", "jsonl", "plain.jsonl"))
                .isInstanceOf(NotGzipException.class)
                .hasNoCause()
                .hasMessage("plain.jsonl should be gzip but is not: it starts with 7b 22 ('{': JSON text,"
                        + " uncompressed?), not gzip's 1f 8b; not retried, since fetching it again would give the"
                        + " same bytes");
        assertThat(closed).isTrue();
    }

    @Test
    void unknown_encoding_or_format_is_rejected_with_the_accepted_values() {
        assertThatThrownBy(() -> readers.open(new ByteArrayInputStream(new byte[0]), "br", "jsonl", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'br'")
                .hasMessageContaining("gzip")
                .hasMessageContaining("identity");
        assertThatThrownBy(() -> readers.open(new ByteArrayInputStream(new byte[0]), "gzip", "xml", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'xml'")
                .hasMessageContaining("jsonl")
                .hasMessageContaining("csv");
    }

    @Test
    void read_errors_surface_as_unchecked_wrapping_the_original() {
        IOException boom = new IOException("connection reset");
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw boom;
            }
        };
        RecordBatchIterator batches = readers.open(failing, null, "jsonl", "x");
        assertThatThrownBy(batches::hasNext).isInstanceOf(UncheckedIOException.class).hasCause(boom);
    }

    @Test
    void closing_the_iterator_closes_the_stream() {
        AtomicBoolean closed = new AtomicBoolean();
        InputStream in = new ByteArrayInputStream(utf8("{\"a\":1}\n{\"a\":2}\n")) {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        RecordBatchIterator batches = new RecordReaders(1, 1024, 1024, 0).open(in, null, "jsonl", "x");
        assertThat(batches.next().size()).isEqualTo(1);
        batches.close();
        assertThat(closed).isTrue();
        assertThat(batches.hasNext()).isFalse();
    }

    @Test
    void rejects_non_positive_limits() {
        assertThatThrownBy(() -> new RecordReaders(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RecordReaders(1, 1, 1, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
