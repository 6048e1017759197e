package io.bulkexport.records;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class RecordValidatorTest {

    private final RecordValidator validator = new RecordValidator();

    @Test
    void keeps_objects_with_surrounding_whitespace() {
        RecordBatch batch = RecordBatch.ofLines("f", "{}", " {\"a\":[1,{\"b\":null}],\"c\":\"é\"} \t", "{\"x\":\"東京\"}");
        validator.validate(batch);
        assertThat(batch.size()).isEqualTo(3);
        assertThat(batch.quarantined()).isEmpty();
    }

    @Test
    void quarantines_malformed_non_objects_and_trailing_data_with_line_numbers() {
        RecordBatch batch = RecordBatch.ofLines("f",
                "{\"ok\":1}",
                "{\"name\":\"secret\"",
                "[1,2,3]",
                "{\"ok\":2}",
                "{\"a\":1} garbage",
                "{\"a\":1}{\"b\":2}",
                "\"just a string\"",
                "{\"ok\":3}",
                "{\"password\":hunter2}",
                "{'single':1}");
        validator.validate(batch);

        assertThat(batch.size()).isEqualTo(3);
        assertThat(List.of(batch.text(0), batch.text(1), batch.text(2)))
                .containsExactly("{\"ok\":1}", "{\"ok\":2}", "{\"ok\":3}");
        assertThat(List.of(batch.line(0), batch.line(1), batch.line(2))).containsExactly(1L, 4L, 8L);
        assertThat(batch.quarantined()).extracting(QuarantinedRecord::line).containsExactly(2L, 3L, 5L, 6L, 7L, 9L, 10L);
        assertThat(batch.quarantined()).extracting(QuarantinedRecord::reason).containsExactly(
                "not valid JSON: Unexpected end-of-input at column 17",
                "not a JSON object",
                "trailing data after JSON object",
                "trailing data after JSON object",
                "not a JSON object",
                "not valid JSON: Unrecognized token at column 13", // where the bare word starts
                "not valid JSON: Unexpected character at column 2");
        assertThat(batch.quarantined().get(0).raw()).isEqualTo(TestStreams.utf8("{\"name\":\"secret\""));
    }

    @Test
    void reasons_never_quote_record_content() {
        RecordBatch batch = RecordBatch.ofLines("f", "{\"a\":secretvalue}", "{\"a\":1}secret", "{\"a\":\"x\" secret}",
                "secret", "{\"a\":\"ctrl\u0001secret\"}", "{\"a\":1]secret");
        validator.validate(batch);
        assertThat(batch.size()).isZero();
        assertThat(batch.quarantined()).hasSize(6)
                .allSatisfy(q -> assertThat(q.reason()).doesNotContain("secret").doesNotContain("REDACTED"));
    }

    @Test
    void rejects_invalid_utf8() {
        byte[] data = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, '"', '}'};
        RecordBatch batch = new RecordBatch("f", data, new int[] {0}, new int[] {data.length}, new long[] {1}, 1, null);
        validator.validate(batch);
        assertThat(batch.quarantined()).singleElement()
                .satisfies(q -> assertThat(q.reason()).startsWith("not valid JSON: Invalid UTF-8"));
    }

    @Test
    void reads_records_as_utf8_even_when_they_look_like_utf16() {
        byte[] utf16le = {'{', 0, '}', 0};
        byte[] utf16Bom = {(byte) 0xFF, (byte) 0xFE, '{', 0, '}', 0};
        byte[] utf8Bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'};
        for (byte[] data : new byte[][] {utf16le, utf16Bom, utf8Bom}) {
            RecordBatch batch = new RecordBatch("f", data, new int[] {0}, new int[] {data.length}, new long[] {1}, 1, null);
            validator.validate(batch);
            assertThat(batch.size()).as(Arrays.toString(data)).isZero();
        }
    }

    @Test
    void can_be_shared_between_threads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<RecordBatch>> results = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                results.add(pool.submit(() -> {
                    String[] lines = new String[500];
                    for (int i = 0; i < lines.length; i++) {
                        lines[i] = i % 10 == 0 ? "[" + i + "]" : "{\"i\":" + i + ",\"s\":\"ü\"}";
                    }
                    RecordBatch batch = RecordBatch.ofLines("f", lines);
                    validator.validate(batch);
                    return batch;
                }));
            }
            for (Future<RecordBatch> result : results) {
                RecordBatch batch = result.get();
                assertThat(batch.size()).isEqualTo(450);
                assertThat(batch.quarantined()).hasSize(50);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
