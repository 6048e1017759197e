package io.bulkexport.records;

import static io.bulkexport.records.TestStreams.drain;
import static io.bulkexport.records.TestStreams.gzip;
import static io.bulkexport.records.TestStreams.lineNumbers;
import static io.bulkexport.records.TestStreams.quarantined;
import static io.bulkexport.records.TestStreams.texts;
import static io.bulkexport.records.TestStreams.trickle;
import static io.bulkexport.records.TestStreams.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** CSV with a header row becomes one JSON object per row, streamed, with awkward rows handled or quarantined. */
class CsvRecordReaderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final RecordReaders readers = new RecordReaders();

    private List<RecordBatch> read(String csv) {
        return drain(readers.open(new ByteArrayInputStream(utf8(csv)), "identity", "csv", "7_1.csv"));
    }

    private static List<Map<String, String>> objects(List<RecordBatch> batches) {
        return texts(batches).stream().map(CsvRecordReaderTest::object).toList();
    }

    private static Map<String, String> object(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, String>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void should_turn_each_row_into_an_object_keyed_by_the_header() {
        List<RecordBatch> batches = read("id,name,city\n1,Hotel Zoë,Austin\n2,Motel,Dallas\n");
        assertThat(objects(batches)).containsExactly(
                Map.of("id", "1", "name", "Hotel Zoë", "city", "Austin"),
                Map.of("id", "2", "name", "Motel", "city", "Dallas"));
        assertThat(texts(batches).get(0)).isEqualTo("{\"id\":\"1\",\"name\":\"Hotel Zoë\",\"city\":\"Austin\"}");
        assertThat(lineNumbers(batches)).containsExactly(2L, 3L);
    }

    @Test
    void should_read_quoted_commas_quotes_embedded_newlines_and_utf8() {
        String csv = "id,address,description\r\n"
                + "1,\"12 Main St, Suite 4\",\"says \"\"hi\"\"\nand, on a new line\"\r\n"
                + "2,東京,\"multi\r\nline, \"\"quoted\"\", Ærø\"\r\n"
                + "3,,\"\"\r\n";
        List<RecordBatch> batches = read(csv);
        assertThat(objects(batches)).containsExactly(
                Map.of("id", "1", "address", "12 Main St, Suite 4", "description", "says \"hi\"\nand, on a new line"),
                Map.of("id", "2", "address", "東京", "description", "multi\r\nline, \"quoted\", Ærø"),
                Map.of("id", "3", "address", "", "description", ""));
        assertThat(lineNumbers(batches)).containsExactly(2L, 4L, 6L);
        assertThat(quarantined(batches)).isEmpty();
    }

    @Test
    void should_quarantine_rows_with_the_wrong_number_of_fields_and_go_on() {
        List<RecordBatch> batches = read("a,b\n1,2\n3,4,5\n6\n7,8\n");
        assertThat(objects(batches)).containsExactly(Map.of("a", "1", "b", "2"), Map.of("a", "7", "b", "8"));
        List<QuarantinedRecord> bad = quarantined(batches);
        assertThat(bad).extracting(QuarantinedRecord::line).containsExactly(3L, 4L);
        assertThat(bad.get(0).reason()).isEqualTo("row has 3 fields, the header has 2");
        assertThat(new String(bad.get(0).raw(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("3,4,5");
    }

    @Test
    void should_quarantine_a_row_that_breaks_csv_syntax_and_resume_at_the_next_row() {
        List<RecordBatch> batches = read("a,b\n1,2\n\"bad\"x,y\n3,4\n");
        assertThat(objects(batches)).containsExactly(Map.of("a", "1", "b", "2"), Map.of("a", "3", "b", "4"));
        List<QuarantinedRecord> bad = quarantined(batches);
        assertThat(bad).hasSize(1);
        assertThat(bad.get(0).line()).isEqualTo(3L);
        assertThat(bad.get(0).reason()).startsWith("not valid CSV: Invalid character between encapsulated token");
    }

    @Test
    void should_quarantine_an_unterminated_quote_at_the_end_of_the_file() {
        List<RecordBatch> batches = read("a,b\n1,2\n3,\"never closed\n4,5\n");
        assertThat(objects(batches)).containsExactly(Map.of("a", "1", "b", "2"));
        assertThat(quarantined(batches)).singleElement().satisfies(q -> {
            assertThat(q.line()).isEqualTo(3L);
            assertThat(q.reason()).contains("EOF reached before encapsulated token finished");
        });
    }

    @Test
    void should_name_blank_and_repeated_header_columns() {
        assertThat(objects(read("id,,id\n1,2,3\n"))).containsExactly(Map.of("id", "1", "column_2", "2", "id_2", "3"));
    }

    @Test
    void should_drop_a_byte_order_mark_and_skip_blank_lines() {
        List<RecordBatch> batches = read("\uFEFFid,n\n\n1,x\n\n2,y");
        assertThat(objects(batches)).containsExactly(Map.of("id", "1", "n", "x"), Map.of("id", "2", "n", "y"));
        assertThat(lineNumbers(batches)).containsExactly(3L, 5L);
    }

    @Test
    void should_have_no_records_for_an_empty_file_or_a_header_alone() {
        assertThat(read("")).isEmpty();
        assertThat(read("a,b\n")).isEmpty();
    }

    @Test
    void should_split_into_batches_and_read_gzip_arriving_in_small_pieces() {
        StringBuilder csv = new StringBuilder("id,text\n");
        for (int i = 1; i <= 2500; i++) {
            csv.append(i).append(",\"line, with comma\nand newline ").append(i).append("\"\n");
        }
        List<RecordBatch> batches = drain(new RecordReaders(1000, 1 << 20, 1 << 20)
                .open(trickle(gzip(utf8(csv.toString())), 7), "gzip", "csv", "big.csv.gz"));
        assertThat(batches).hasSize(3);
        assertThat(objects(batches)).hasSize(2500).last().isEqualTo(Map.of("id", "2500",
                "text", "line, with comma\nand newline 2500"));
        assertThat(lineNumbers(batches).get(2499)).isEqualTo(2 + 2 * 2499L);
    }

    @Test
    void should_quarantine_a_record_longer_than_the_limit() {
        String longValue = "x".repeat(300);
        List<RecordBatch> batches = drain(new RecordReaders(100, 4096, 200, 0)
                .open(new ByteArrayInputStream(utf8("a\nshort\n" + longValue + "\nok\n")), null, "csv", "x.csv"));
        assertThat(objects(batches)).containsExactly(Map.of("a", "short"), Map.of("a", "ok"));
        assertThat(quarantined(batches)).singleElement()
                .satisfies(q -> assertThat(q.reason()).isEqualTo("record longer than 200 bytes"));
    }

    @Test
    void should_end_the_file_at_a_runaway_quoted_field_instead_of_reading_it_into_memory() {
        String csv = "a,b\n1,2\n3,\"" + "never closed ".repeat(20_000) + "\n4,5\n";
        List<RecordBatch> batches = drain(new RecordReaders(100, 4096, 200, 0)
                .open(new ByteArrayInputStream(utf8(csv)), null, "csv", "x.csv"));
        assertThat(objects(batches)).containsExactly(Map.of("a", "1", "b", "2"));
        assertThat(quarantined(batches)).singleElement().satisfies(q -> {
            assertThat(q.line()).isEqualTo(3L);
            assertThat(q.reason()).isEqualTo("record longer than 200 bytes; the rest of the file could not be read");
        });
    }

    @Test
    void should_fail_with_the_read_error_when_the_stream_breaks() {
        IOException reset = new IOException("connection reset");
        InputStream breaking = new SequenceInputStream(new ByteArrayInputStream(utf8("a,b\n1,2\n")), new InputStream() {
            @Override
            public int read() throws IOException {
                throw reset;
            }
        });
        RecordBatchIterator batches = new RecordReaders(1000, 1 << 20, 1 << 20, 0).open(breaking, null, "csv", "x");
        assertThatThrownBy(batches::hasNext).isInstanceOf(UncheckedIOException.class).hasCause(reset);
    }
}
