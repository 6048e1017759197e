package io.bulkexport.records;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordBatchTest {

    @Test
    void quarantining_one_record_shifts_the_rest_down() {
        RecordBatch batch = RecordBatch.ofLines("f", "a", "b", "c");
        batch.quarantine(1, "bad");
        assertThat(batch.size()).isEqualTo(2);
        assertThat(batch.text(0)).isEqualTo("a");
        assertThat(batch.text(1)).isEqualTo("c");
        assertThat(batch.line(1)).isEqualTo(3);
        assertThat(batch.quarantined()).singleElement().satisfies(q -> {
            assertThat(q.line()).isEqualTo(2);
            assertThat(q.reason()).isEqualTo("bad");
            assertThat(q.raw()).isEqualTo(TestStreams.utf8("b"));
        });
        assertThatThrownBy(() -> batch.offset(2)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void quarantine_failing_keeps_order_of_the_rest() {
        RecordBatch batch = RecordBatch.ofLines("f", "keep1", "drop", "keep2", "drop", "keep3");
        int removed = batch.quarantineFailing((data, offset, length) ->
                new String(data, offset, length).startsWith("drop") ? "dropped" : null);
        assertThat(removed).isEqualTo(2);
        assertThat(batch.size()).isEqualTo(3);
        assertThat(batch.text(2)).isEqualTo("keep3");
        assertThat(batch.line(2)).isEqualTo(5);
        assertThat(batch.recordBytes()).isEqualTo(15);
        assertThat(batch.quarantined()).extracting(QuarantinedRecord::line).containsExactly(2L, 4L);
    }
}
