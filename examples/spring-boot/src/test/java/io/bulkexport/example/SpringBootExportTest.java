package io.bulkexport.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulkexport.sandbox.CoresignalSandbox;
import io.bulkexport.sandbox.SandboxSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged Spring Boot application, run as a user runs it ({@code java -Dbulkexport.*=… -jar}), against a
 * Coresignal emulator this test starts: once mode exports a multi-file request record for record and exits 0, a bad
 * job file exits 2 with one line, and in service mode the actuator's health is UP with Camel's check in it and its
 * metrics hold the bundle's meters.
 */
class SpringBootExportTest {
    static final String API_KEY = "cs-spring-test-key-81c0f3";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    CoresignalSandbox sandbox;

    @BeforeEach
    void startTheEmulator() {
        sandbox = new CoresignalSandbox(SandboxSettings.defaults().withApiKey(API_KEY).withFilesPerRequest(4)
                .withRecordsPerFile(500).withRecordBytes(600).withReadyAfter(Duration.ZERO)).start();
    }

    @AfterEach
    void stopTheEmulator() {
        sandbox.stop();
    }

    @Test
    void should_export_every_record_once_and_exit_0_in_once_mode() throws Exception {
        job("engineers", "provider: coresignal\ndataset: employee_clean\nmethod: es_dsl\nrequest: query.json\n");
        Process app = start("once", List.of());
        assertThat(app.waitFor(120, TimeUnit.SECONDS)).as("the app ends by itself in once mode").isTrue();
        assertThat(app.exitValue()).as(log()).isEqualTo(0);

        String requestId = sandbox.submissions().get(0).requestId();
        assertThat(sandbox.submissions()).hasSize(1);
        assertThat(landedIds("engineers")).hasSize(2000).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(sandbox.expectedRecordIds(requestId));
        assertThat(log()).contains("DONE engineers request=" + requestId).doesNotContain(API_KEY);
    }

    @Test
    void should_refuse_a_bad_job_file_with_one_line_and_exit_2() throws Exception {
        job("broken", "provider: nobody\ndataset: x\n");
        Process app = start("once", List.of());
        assertThat(app.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(app.exitValue()).as(log()).isEqualTo(2);
        assertThat(log()).contains("bulk-export: configuration error:").contains("nobody");
        assertThat(sandbox.submissions()).isEmpty();
    }

    @Test
    void should_report_health_up_with_camel_in_service_mode() throws Exception {
        job("engineers", "provider: coresignal\ndataset: employee_clean\nmethod: es_dsl\nrequest: query.json\n");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Process app = start("service", List.of("-Dserver.port=" + port));
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                    .timeout(Duration.ofSeconds(5)).build();
            String body = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline && app.isAlive()) {
                try {
                    HttpResponse<String> answer = http.send(health, HttpResponse.BodyHandlers.ofString());
                    body = answer.body();
                    if (answer.statusCode() == 200 && landedFiles("engineers") == 4) {
                        break;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(200);
            }
            assertThat(app.isAlive()).as(log()).isTrue();
            assertThat(JSON.readTree(body).path("status").asText()).as(body).isEqualTo("UP");
            assertThat(JSON.readTree(body).path("components").path("camelHealth").path("status").asText()).as(body)
                    .isEqualTo("UP");
            assertThat(landedFiles("engineers")).as("the one-shot job ran in service mode too").isEqualTo(4);
            // the bundle's meters are in the actuator's Micrometer registry
            HttpResponse<String> records = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/actuator/metrics/bulkexport.records.landed")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(records.statusCode()).as(records.body()).isEqualTo(200);
            assertThat(JSON.readTree(records.body()).path("measurements").get(0).path("value").asDouble())
                    .as(records.body()).isEqualTo(2000.0);
        } finally {
            app.destroy();
            app.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private void job(String name, String yaml) throws IOException {
        Files.createDirectories(dir.resolve("jobs"));
        Files.writeString(dir.resolve("jobs/query.json"), "{\"query\": {\"match_all\": {}}}");
        Files.writeString(dir.resolve("jobs/" + name + ".yaml"), yaml);
    }

    private Process start(String mode, List<String> more) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-DCORESIGNAL_API_KEY=" + API_KEY,
                "-Dbulkexport.run-mode=" + mode,
                "-Dbulkexport.jobs=" + dir.resolve("jobs/*.yaml"),
                "-Dbulkexport.coresignal.base-url=" + sandbox.baseUrl(),
                "-Dbulkexport.output.dir=" + dir.resolve("out"),
                "-Dbulkexport.state.url=jdbc:h2:file:" + dir.resolve("state/db") + ";WRITE_DELAY=0",
                "-Dbulkexport.poll.interval-seconds=0.1", "-Dbulkexport.poll.tick-millis=50"));
        command.addAll(more);
        command.add("-jar");
        command.add(Path.of(System.getProperty("example.jar", "target/bulk-export-spring-boot.jar")).toAbsolutePath()
                .toString());
        return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("app.log").toFile()).start();
    }

    private String log() throws IOException {
        return Files.readString(dir.resolve("app.log"));
    }

    private long landedFiles(String job) throws IOException {
        return outputs(job).size();
    }

    private List<Path> outputs(String job) throws IOException {
        Path out = dir.resolve("out").resolve(job);
        if (!Files.isDirectory(out)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(out)) {
            return walk.filter(p -> p.getFileName().toString().endsWith(".jsonl")
                    && !p.getFileName().toString().startsWith(".")
                    && !p.getFileName().toString().endsWith(".quarantine.jsonl")).sorted().toList();
        }
    }

    private List<Long> landedIds(String job) throws IOException {
        List<Long> ids = new ArrayList<>();
        for (Path file : outputs(job)) {
            for (String line : Files.readAllLines(file)) {
                ids.add(JSON.readTree(line).get("id").asLong());
            }
        }
        return ids;
    }
}
