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
 * {@link ExampleApp} as a user runs it: its own process, on the class path of exactly the dependencies the README
 * lists for a Camel Main application (this module's runtime scope), against a Coresignal emulator the test starts.
 * Once mode lands a multi-file request record for record, prints its summary and exits 0; a bad job file is one
 * line on stderr and exit 2; in service mode Camel's management server answers health UP and serves the bundle's
 * meters.
 */
class CamelMainExampleTest {
    static final String API_KEY = "cs-camel-main-test-key-5e21a9";
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
    void should_export_every_record_once_print_the_summary_and_exit_0_in_once_mode() throws Exception {
        job("engineers", "provider: coresignal\ndataset: employee_clean\nmethod: es_dsl\nrequest: query.json\n");
        Process app = start("once", List.of());
        assertThat(app.waitFor(120, TimeUnit.SECONDS)).as("the app ends by itself in once mode").isTrue();
        assertThat(app.exitValue()).as(log()).isEqualTo(0);

        assertThat(sandbox.submissions()).hasSize(1);
        String requestId = sandbox.submissions().get(0).requestId();
        assertThat(landedIds("engineers")).hasSize(2000).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(sandbox.expectedRecordIds(requestId));
        assertThat(log()).as("the summary, through the README's logging backend")
                .contains("DONE engineers request=" + requestId).doesNotContain(API_KEY);
    }

    @Test
    void should_refuse_a_bad_job_file_in_one_line_and_exit_2() throws Exception {
        job("broken", "provider: nobody\ndataset: x\n");
        Process app = start("once", List.of());
        assertThat(app.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(app.exitValue()).as(log()).isEqualTo(2);
        assertThat(log().lines().filter(line -> line.startsWith("bulk-export: configuration error: ")))
                .singleElement().asString().contains("nobody");
        assertThat(log()).as("no stack trace").doesNotContain("\tat io.bulkexport").doesNotContain("\tat org.apache");
        assertThat(sandbox.submissions()).isEmpty();
    }

    @Test
    void should_serve_health_and_the_bundles_meters_in_service_mode() throws Exception {
        job("engineers", "provider: coresignal\ndataset: employee_clean\nmethod: es_dsl\nrequest: query.json\n");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Process app = start("service", List.of("-Dcamel.management.port=" + port,
                "-Dcamel.management.host=127.0.0.1"));
        try {
            HttpClient http = HttpClient.newHttpClient();
            String health = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline && app.isAlive()) {
                try {
                    HttpResponse<String> answer = get(http, port, "/observe/health");
                    health = answer.body();
                    if (answer.statusCode() == 200 && landedFiles("engineers") == 4) {
                        break;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(200);
            }
            assertThat(app.isAlive()).as(log()).isTrue();
            assertThat(JSON.readTree(health).path("status").asText()).as(health).isEqualTo("UP");
            assertThat(landedFiles("engineers")).as("the one-shot job ran in service mode too").isEqualTo(4);
            HttpResponse<String> metrics = get(http, port, "/observe/metrics");
            assertThat(metrics.statusCode()).as(metrics.body()).isEqualTo(200);
            assertThat(metrics.body().lines().filter(line -> line.startsWith("bulkexport_records_landed_total")))
                    .as(metrics.body()).singleElement().asString().endsWith(" 2000.0");
        } finally {
            app.destroy();
            app.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void job(String name, String yaml) throws IOException {
        Files.createDirectories(dir.resolve("jobs"));
        Files.writeString(dir.resolve("jobs/query.json"), "{\"query\": {\"match_all\": {}}}");
        Files.writeString(dir.resolve("jobs/" + name + ".yaml"), yaml);
    }

    /** The application on its own class path, the settings as {@code -D} options, the credential from the environment. */
    private Process start(String mode, List<String> more) throws IOException {
        String classPath = System.getProperty("example.classes") + java.io.File.pathSeparator
                + Files.readString(Path.of(System.getProperty("example.class-path-file"))).strip();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", classPath,
                "-Dbulkexport.run-mode=" + mode,
                "-Dbulkexport.jobs=" + dir.resolve("jobs/*.yaml"),
                "-Dbulkexport.coresignal.base-url=" + sandbox.baseUrl(),
                "-Dbulkexport.output.dir=" + dir.resolve("out"),
                "-Dbulkexport.state.url=jdbc:h2:file:" + dir.resolve("state/db") + ";WRITE_DELAY=0",
                "-Dbulkexport.poll.interval-seconds=0.1", "-Dbulkexport.poll.tick-millis=50"));
        command.addAll(more);
        command.add(ExampleApp.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("app.log").toFile());
        builder.environment().keySet().removeIf(name -> name.toUpperCase(java.util.Locale.ROOT).startsWith("BULKEXPORT"));
        builder.environment().put("CORESIGNAL_API_KEY", API_KEY);
        return builder.start();
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
