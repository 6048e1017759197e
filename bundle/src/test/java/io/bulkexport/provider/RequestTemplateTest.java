package io.bulkexport.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulkexport.config.ConfigurationException;
import org.junit.jupiter.api.Test;

class RequestTemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, Object> values(Object... pairs) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            values.put((String) pairs[i], pairs[i + 1]);
        }
        return values;
    }

    @Test
    void should_put_typed_values_in_place_and_drop_absent_ones() {
        String body = RequestTemplate.json("{\"query\": \"${query}\", \"num_records\": \"${limit}\", \"download\": true}",
                values("query", "city:\"Austin\"", "limit", 500L), true).toString();
        assertThat(body).isEqualTo("{\"query\":\"city:\\\"Austin\\\"\",\"num_records\":500,\"download\":true}");
        assertThat(RequestTemplate.json("{\"q\": \"${query}\", \"num_records\": \"${limit}\"}",
                values("query", "x", "limit", null), true).toString()).isEqualTo("{\"q\":\"x\"}");
    }

    @Test
    void should_spread_an_object_so_that_later_fields_win() throws Exception {
        Map<String, Object> values = values("request", JSON.readTree("{\"es_dsl_query\": {}, \"data_format\": \"csv\","
                + " \"limit\": 7}"), "format", "json", "limit", 10L);
        assertThat(RequestTemplate.json("{\"data_format\": \"${format}\", \"...\": \"${request}\", \"limit\": \"${limit}\"}",
                values, true).toString()).isEqualTo("{\"data_format\":\"csv\",\"es_dsl_query\":{},\"limit\":10}");
    }

    @Test
    void should_fill_placeholders_inside_a_spread_request_but_leave_unknown_ones() throws Exception {
        Map<String, Object> values = values("request", JSON.readTree("{\"note\": \"for ${requestId}, not ${other}\"}"),
                "requestId", "abc");
        assertThat(RequestTemplate.json("{\"...\": \"${request}\"}", values, true).toString())
                .isEqualTo("{\"note\":\"for abc, not ${other}\"}");
    }

    @Test
    void should_encode_paths_and_queries_and_drop_parameters_without_a_value() {
        assertThat(RequestTemplate.path("/requests/${requestId}/data", values("requestId", "a b/c")))
                .isEqualTo("/requests/a%20b%2Fc/data");
        assertThat(RequestTemplate.query("q=${query}&view=${view}&records=${limit}&download=true",
                values("query", "categories:hotels AND city:Austin", "view", null, "limit", 5L)))
                .isEqualTo("q=categories%3Ahotels%20AND%20city%3AAustin&records=5&download=true");
    }

    @Test
    void should_refuse_an_unknown_placeholder_in_a_provider_template() {
        assertThatThrownBy(() -> RequestTemplate.json("{\"a\": \"${nope}\"}", values("query", "x"), true))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("${nope} is unknown");
    }
}
