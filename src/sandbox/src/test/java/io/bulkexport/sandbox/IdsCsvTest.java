package io.bulkexport.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IdsCsvTest {

    @Test
    void reads_the_first_column_skipping_header_blank_lines_and_duplicates() {
        assertThat(IdsCsv.parse("\uFEFFemployee_id,name\n\"12\",a\n\n34,b\r\n12,c\n", 10)).containsExactly(12, 34);
        assertThat(IdsCsv.parse("7\n8", 10)).containsExactly(7, 8);
    }

    @Test
    void rejects_bad_files() {
        assertThatThrownBy(() -> IdsCsv.parse("1\n2\n3", 2)).hasMessage("File contains too many IDs");
        assertThatThrownBy(() -> IdsCsv.parse("id\n", 2)).hasMessage("File contains no IDs");
        assertThatThrownBy(() -> IdsCsv.parse("id\n1\nabc\n", 5)).hasMessageContaining("abc");
    }
}
