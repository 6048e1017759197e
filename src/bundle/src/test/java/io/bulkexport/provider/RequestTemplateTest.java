package io.bulkexport.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulkexport.config.ConfigurationException;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

class RequestTemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final RequestTemplate templates = new RequestTemplate(new DefaultCamelContext());

    private static Map<String, Object> values(Object... pairs) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            values.put((String) pairs[i], pairs[i + 1]);
        }
        return values;
    }

    private String json(String template, Map<String, Object> values) throws Exception {
        return templates.json(JSON.readTree(template), values, true).toString();
    }

    @Test
    void should_put_typed_values_in_place_and_drop_absent_ones() throws Exception {
        assertThat(json("{\"query\": \"${variable.query}\", \"num_records\": \"${variable.limit}\", \"download\": true}",
                values("query", "city:\"Austin\"", "limit", 500L)))
                .isEqualTo("{\"query\":\"city:\\\"Austin\\\"\",\"num_records\":500,\"download\":true}");
        assertThat(json("{\"q\": \"${variable.query}\", \"num_records\": \"${variable.limit}\"}",
                values("query", "x", "limit", null))).isEqualTo("{\"q\":\"x\"}");
        assertThat(json("{\"list\": [\"${variable.dataset}\", \"${variable.limit}\"]}",
                values("dataset", "profile", "limit", null))).isEqualTo("{\"list\":[\"profile\"]}");
    }

    @Test
    void should_spread_an_object_so_that_later_fields_win() throws Exception {
        Map<String, Object> values = values("request", JSON.readTree("{\"es_dsl_query\": {}, \"data_format\": \"csv\","
                + " \"limit\": 7}"), "format", "json", "limit", 10L);
        assertThat(json("{\"data_format\": \"${variable.format}\", \"...\": \"${variable.request}\","
                + " \"limit\": \"${variable.limit}\"}", values))
                .isEqualTo("{\"data_format\":\"csv\",\"es_dsl_query\":{},\"limit\":10}");
    }

    @Test
    void should_fill_a_spread_requests_known_values_but_leave_strings_with_other_expressions() throws Exception {
        Map<String, Object> values = values("request", JSON.readTree("{\"note\": \"for ${variable.requestId}\","
                + " \"other\": \"not ${variable.other}\", \"body\": \"${body}\", \"odd\": \"${unclosed\"}"),
                "requestId", "abc");
        assertThat(json("{\"...\": \"${variable.request}\"}", values))
                .isEqualTo("{\"note\":\"for abc\",\"other\":\"not ${variable.other}\",\"body\":\"${body}\","
                        + "\"odd\":\"${unclosed\"}");
    }

    @Test
    void should_evaluate_other_simple_functions_in_a_provider_template() throws Exception {
        assertThat(json("{\"tag\": \"${variable.dataset.toUpperCase()}-${date:now:yyyy}\"}",
                values("dataset", "people"))).matches("\\{\"tag\":\"PEOPLE-20\\d\\d\"}");
    }

    @Test
    void should_encode_paths_and_queries_and_drop_parameters_without_a_value() {
        assertThat(templates.path("/requests/${variable.requestId}/data", values("requestId", "a b/c")))
                .isEqualTo("/requests/a%20b%2Fc/data");
        Map<String, String> query = new LinkedHashMap<>();
        query.put("q", "${variable.query}");
        query.put("view", "${variable.view}");
        query.put("records", "${variable.limit}");
        query.put("download", "true");
        assertThat(templates.query(query, values("query", "categories:hotels AND city:Austin", "view", null,
                "limit", 5L))).isEqualTo("q=categories%3Ahotels%20AND%20city%3AAustin&records=5&download=true");
    }

    @Test
    void should_refuse_a_path_that_needs_a_value_that_is_not_set() {
        assertThatThrownBy(() -> templates.path("/requests/${variable.requestId}/data", values("requestId", null)))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("requestId");
    }

    @Test
    void should_refuse_an_unknown_value_or_a_template_that_is_not_simple_in_a_provider_template() {
        JsonNode unknown = JSON.createObjectNode().put("a", "${variable.nope}");
        assertThatThrownBy(() -> templates.json(unknown, values("query", "x"), true))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("template placeholder ${variable.nope} is unknown (known: query)");
        assertThatThrownBy(() -> templates.check("submit.body", "${requestId}", Set.of("requestId")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("submit.body: template '${requestId}' is not a Camel Simple template")
                .hasMessageEndingWith("a job's value is written ${variable.NAME}");
    }
}
