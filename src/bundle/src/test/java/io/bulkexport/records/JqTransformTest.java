package io.bulkexport.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.bulkexport.RecordTransform;
import net.thisptr.jackson.jq.exception.JsonQueryException;
import org.junit.jupiter.api.Test;

/** A record transform over a batch: what it keeps, drops, splits or quarantines, with the source lines kept. */
class JqTransformTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> records(RecordBatch batch) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            out.add(batch.text(i));
        }
        return out;
    }

    @Test
    void drops_fields_from_every_record_and_keeps_its_line() throws Exception {
        RecordBatch batch = RecordBatch.ofLines("f.json", "{\"id\":1,\"email\":\"a@x\",\"phone\":\"1\",\"n\":\"é\"}",
                "{\"id\":2,\"email\":\"b@x\"}");
        RecordBatch out = batch.transformed(JqTransform.compile("del(.email, .phone)"), JSON);
        assertThat(records(out)).containsExactly("{\"id\":1,\"n\":\"é\"}", "{\"id\":2}");
        assertThat(out.line(1)).isEqualTo(2);
        assertThat(out.verbatim()).isFalse();
        assertThat(records(batch)).as("the batch read is left as it was").hasSize(2).first().asString()
                .contains("email");
    }

    @Test
    void keeps_some_records_and_quarantines_what_it_fails_for_or_turns_into_no_object() throws Exception {
        RecordBatch batch = RecordBatch.ofLines("f.json", "{\"id\":1,\"country\":\"US\"}",
                "{\"id\":2,\"country\":\"FR\"}", "{\"id\":3,\"country\":7}");
        RecordBatch kept = batch.transformed(JqTransform.compile("select(.country == \"US\")"), JSON);
        assertThat(records(kept)).containsExactly("{\"id\":1,\"country\":\"US\"}");
        assertThat(kept.quarantined()).isEmpty();

        RecordBatch lowered = batch.transformed(JqTransform.compile(".country |= ascii_downcase"), JSON);
        assertThat(records(lowered)).containsExactly("{\"id\":1,\"country\":\"us\"}", "{\"id\":2,\"country\":\"fr\"}");
        assertThat(lowered.quarantined()).singleElement().satisfies(q -> {
            assertThat(q.line()).isEqualTo(3);
            assertThat(q.reason()).startsWith("the transform failed: ");
        });

        RecordBatch names = batch.transformed(JqTransform.compile(".id"), JSON);
        assertThat(names.size()).isZero();
        assertThat(names.quarantined()).hasSize(3).allSatisfy(q -> assertThat(q.reason())
                .isEqualTo("the transform made a number, not a JSON object"));
    }

    @Test
    void a_bean_may_split_a_record_into_several() {
        RecordTransform split = record -> List.of(JsonNodeFactory.instance.objectNode().put("part", 1),
                JsonNodeFactory.instance.objectNode().put("part", 2));
        RecordBatch out = RecordBatch.ofLines("f.json", "{\"id\":1}").transformed(split, JSON);
        assertThat(records(out)).containsExactly("{\"part\":1}", "{\"part\":2}");
        assertThat(out.line(0)).isEqualTo(1);
        assertThat(out.line(1)).isEqualTo(1);
    }

    @Test
    void a_program_that_is_not_jq_is_refused_with_what_jq_said() {
        assertThatThrownBy(() -> JqTransform.compile("del(.email")).isInstanceOf(JsonQueryException.class);
    }
}
