package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulkexport.sandbox.SandboxSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job's jq transform, applied in the record loop: what it drops is gone from every record landed, none is lost. */
class TransformTest {
    @TempDir
    Path dir;

    @Test
    void a_jq_transform_drops_two_fields_from_every_landed_record() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults().withFilesPerRequest(3)
                .withRecordsPerFile(400).withMalformedEvery(50).withReadyAfter(Duration.ZERO))) {
            app.job("slim", "provider: coresignal\ndataset: employee_clean\nmethod: es_dsl\nrequest: "
                    + Path.of("config/queries/coresignal-python-engineers.json").toAbsolutePath()
                    + "\ntransform: \"del(.full_name, .headline)\"\n");
            assertThat(app.run()).isZero();
            String requestId = app.onlyRequestId();
            List<JsonNode> landed = app.landedRecords("slim");
            assertThat(landed).hasSize(app.sandbox.expectedRecordIds(requestId).size());
            assertThat(landed).allSatisfy(record -> {
                assertThat(record.has("full_name")).isFalse();
                assertThat(record.has("headline")).isFalse();
                assertThat(record.has("first_name")).isTrue();
            });
            assertThat(app.landedIds("slim")).containsExactlyInAnyOrderElementsOf(
                    app.sandbox.expectedRecordIds(requestId));
            // broken lines still go to quarantine, as they came
            assertThat(app.quarantined("slim")).hasSize((int) app.sandbox.malformedLineCount(requestId)).isNotEmpty();
            long counted = 0;
            for (JsonNode file : app.manifest("slim").get("files")) {
                counted += file.get("records").asLong();
            }
            assertThat(counted).isEqualTo(landed.size());
        }
    }
}
