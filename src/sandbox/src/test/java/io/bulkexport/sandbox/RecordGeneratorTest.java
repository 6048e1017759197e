package io.bulkexport.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecordGeneratorTest {

    private static String record(int bytes, long id, long seed) {
        StringBuilder out = new StringBuilder();
        new RecordGenerator(bytes).appendRecord(out, id, seed);
        return out.toString();
    }

    @Test
    void same_seed_gives_the_same_record() {
        long seed = RecordGenerator.recordSeed(42, 3, 7);
        assertThat(record(1000, 5, seed)).isEqualTo(record(1000, 5, seed));
        assertThat(record(1000, 5, seed)).isNotEqualTo(record(1000, 5, RecordGenerator.recordSeed(42, 3, 8)));
        assertThat(RecordGenerator.recordSeed(42, 3, 7)).isNotEqualTo(RecordGenerator.recordSeed(43, 3, 7));
    }

    @Test
    void records_are_valid_json_of_about_the_requested_size() throws Exception {
        boolean sawNonAscii = false;
        for (int bytes : new int[] {1000, 5000}) {
            for (int line = 0; line < 500; line++) {
                String json = record(bytes, line + 1, RecordGenerator.recordSeed(9, 0, line));
                int size = json.getBytes(StandardCharsets.UTF_8).length;
                assertThat(size).isBetween(bytes - 40, bytes);
                JsonNode node = Json.MAPPER.readTree(json);
                assertThat(node.get("id").longValue()).isEqualTo(line + 1);
                for (String field : new String[] {"full_name", "title", "headline", "location", "company", "description"}) {
                    assertThat(node.get(field).isTextual()).as(field).isTrue();
                }
                assertThat(node.get("skills").isArray()).isTrue();
                assertThat(node.get("experience").get(0).get("company").asText()).isEqualTo(node.get("company").asText());
                sawNonAscii |= json.chars().anyMatch(c -> c > 127);
            }
        }
        assertThat(sawNonAscii).isTrue();
    }

    @Test
    void tiny_records_stay_valid() throws Exception {
        assertThat(Json.MAPPER.readTree(record(0, 1, 1)).get("description").asText()).isEmpty();
    }

    @Test
    void malformed_lines_are_not_json() {
        StringBuilder out = new StringBuilder();
        RecordGenerator.appendMalformed(out, 17);
        assertThat(out).hasToString("{\"id\": 17, \"broken");
        assertThatThrownBy(() -> Json.MAPPER.readTree(out.toString())).isInstanceOf(Exception.class);
    }
}
