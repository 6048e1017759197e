package io.bulkexport.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafePathsTest {
    @Test
    void should_keep_the_vendors_folders_and_swap_the_extension() {
        assertThat(SafePaths.outputName("json/part-00000-2c3d-c000.json.gz")).isEqualTo("json/part-00000-2c3d-c000.jsonl");
        assertThat(SafePaths.outputName("847070_1.txt")).isEqualTo("847070_1.jsonl");
        assertThat(SafePaths.outputName("7_1.csv")).isEqualTo("7_1.jsonl");
        assertThat(SafePaths.outputName("%2e%2e/x.json")).as("encoded dots are just characters").isEqualTo("%2e%2e/x.jsonl");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../x.json", "/etc/passwd", "a/../../b", "a//b", "./x", "a\\..\\b", "C:/x", "a\u0000b", ""})
    void should_refuse_names_that_could_leave_the_output_folder(String name) {
        assertThatThrownBy(() -> SafePaths.outputName(name)).isInstanceOf(SafePaths.UnsafeNameException.class);
    }

    @Test
    void should_refuse_very_long_names_and_unsafe_request_ids() {
        assertThatThrownBy(() -> SafePaths.outputName("x".repeat(300) + ".json"))
                .hasMessageContaining("longer than 200");
        assertThatThrownBy(() -> SafePaths.segment("../req", "request id")).hasMessageContaining("request id");
        assertThat(SafePaths.segment("6f1c2b1e-8a7d", "request id")).isEqualTo("6f1c2b1e-8a7d");
    }

    @Test
    void should_resolve_only_inside_the_root() {
        Path root = Path.of("/data/out/job/req");
        assertThat(SafePaths.under(root, "json/a.jsonl")).isEqualTo(Path.of("/data/out/job/req/json/a.jsonl"));
        assertThatThrownBy(() -> SafePaths.under(root, "../other.jsonl")).isInstanceOf(SafePaths.UnsafeNameException.class);
    }

    @Test
    void tells_apart_names_that_would_land_as_one_and_keeps_every_other_name() {
        List<String> names = List.of("json/a.json.gz", "json/a.jsonl.gz", "json/a.JSON", "json/a_json_gz.csv",
                "json/b.json.gz", "b.json.gz", "../escaped.json");
        Map<String, String> outputs = SafePaths.outputNames(names);
        assertThat(outputs).containsOnly(
                Map.entry("json/a.json.gz", "json/a_json_gz~2.jsonl"),
                Map.entry("json/a.jsonl.gz", "json/a_jsonl_gz.jsonl"),
                Map.entry("json/a.JSON", "json/a_JSON.jsonl"),
                // its own name is free: it keeps it, and the colliding one that would take it is told apart
                Map.entry("json/a_json_gz.csv", "json/a_json_gz.jsonl"),
                Map.entry("json/b.json.gz", "json/b.jsonl"),
                Map.entry("b.json.gz", "b.jsonl"));
        assertThat(new java.util.HashSet<>(outputs.values())).hasSize(outputs.size());
        List<String> reversed = new java.util.ArrayList<>(names);
        java.util.Collections.reverse(reversed);
        assertThat(SafePaths.outputNames(reversed)).as("the same names give the same paths, in any order")
                .isEqualTo(outputs);
    }
}
