package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import io.bulkexport.sandbox.SandboxSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worked hook example of docs/lake.md, as a user copies it into their routes folder: the Kafka endpoint replaced
 * by a file endpoint (no broker here), the rest as written. One message per landed file and one per run, keyed by
 * the event id.
 */
class LakeExamplesTest {
    private static final String KAFKA = "kafka:lake-landed?brokers={{kafka.brokers:localhost:9092}}";

    @TempDir
    Path dir;

    @Test
    void the_kafka_hook_example_sends_one_message_per_landed_file_and_per_run() throws Exception {
        String guide = Files.readString(Path.of("docs/lake.md"));
        int start = guide.indexOf("```yaml\n# routes/hooks.yaml");
        assertThat(start).as("the example in docs/lake.md").isNotNegative();
        String example = guide.substring(start + "```yaml\n".length(), guide.indexOf("```", start + 7));
        assertThat(example).contains(KAFKA);
        Path sent = dir.resolve("sent");
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("routes/hooks.yaml"), example.replace(KAFKA,
                "file:" + sent + "?fileName=${header.kafka.KEY}.json"));
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults().withFilesPerRequest(3)
                .withRecordsPerFile(20).withReadyAfter(Duration.ZERO))) {
            app.esDslJob("engineers").set("bulkexport.routes.dir", dir.resolve("routes").toString());
            assertThat(app.run()).isZero();
            try (Stream<Path> files = Files.list(sent)) {
                List<String> events = files.map(f -> {
                    try {
                        return ExportHarness.JSON.readTree(f.toFile()).path("event").asText()
                                + " " + f.getFileName().toString().equals(ExportHarness.JSON.readTree(f.toFile())
                                .path("eventId").asText() + ".json");
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).sorted().toList();
                assertThat(events).containsExactly("file-landed true", "file-landed true", "file-landed true",
                        "run-landed true");
            }
        }
    }
}
