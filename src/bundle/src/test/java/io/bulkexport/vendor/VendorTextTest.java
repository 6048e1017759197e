package io.bulkexport.vendor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VendorTextTest {

    @Test
    void takes_the_request_ids_vendors_give_and_refuses_what_could_steer_a_path_or_a_command() {
        assertThat(VendorText.requestId("123456", "answer")).isEqualTo("123456");
        assertThat(VendorText.requestId("8c0e1a54-2b1f-4c5e-9a7d-3f6b2c1d0e9f", "answer")).isNotNull();
        for (String bad : new String[] {"", "../1", "1/2", "1?x=2", "1#a", "${env:KEY}", "{{a}}", "1 2", "1;sh", "a\nb",
                "%2e%2e", "-rf", "x".repeat(201)}) {
            assertThat(VendorText.isRequestId(bad)).as(bad).isFalse();
        }
        assertThatThrownBy(() -> VendorText.requestId("1\u001b[31m?x", "the answer"))
                .isInstanceOf(UnexpectedAnswerException.class)
                .hasMessageContaining("the answer holds a request id that is not one: '1?[31m?x'");
    }

    @Test
    void encodes_each_segment_of_a_file_name_for_a_url_path() {
        assertThat(VendorText.pathSegments("json/part-00000-c000.json.gz")).isEqualTo("json/part-00000-c000.json.gz");
        assertThat(VendorText.pathSegments("json/a?b=1&c#d ${env:K}{{p}}%2e.gz"))
                .isEqualTo("json/a%3Fb%3D1%26c%23d%20%24%7Benv%3AK%7D%7B%7Bp%7D%7D%252e.gz");
        assertThat(VendorText.pathSegments("Zoë")).isEqualTo("Zo%C3%AB");
    }

    @Test
    void makes_free_text_one_printable_line() {
        assertThat(VendorText.oneLine("failed\r\n12:00 INFO forged line\u001b[2J \u202Egnp.exe"))
                .isEqualTo("failed 12:00 INFO forged line?[2J ?gnp.exe");
        assertThat(VendorText.oneLine("x".repeat(400))).hasSize(301);
        assertThat(VendorText.oneLine(null)).isNull();
    }
}
