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
 * metrics hold the bundle's meters; configured only the Spring way (an application.yml, a profile's file,
 * {@code --name=value} arguments), every setting it gets wins over the bundle's packaged defaults.
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

    @Test
    void should_take_every_setting_from_springs_environment_over_the_bundles_defaults() throws Exception {
        job("engineers", "provider: coresignal\ndataset: employee_clean\nmethod: es_dsl\nrequest: query.json\n");
        Path spring = Files.createDirectories(dir.resolve("spring"));
        // the base file: where the jobs are, a state database and an output folder the arguments and the profile
        // replace, and an API address nothing listens on, which the profile replaces by the emulator's
        Files.writeString(spring.resolve("application.yml"), String.join("\n",
                "bulkexport:",
                "  run-mode: service",
                "  jobs: \"" + dir.resolve("jobs/*.yaml") + "\"",
                "  coresignal:",
                "    base-url: \"http://127.0.0.1:9/cdapi\"",
                "  output:",
                "    dir: \"" + dir.resolve("out-base") + "\"",
                "  state:",
                "    url: \"jdbc:h2:file:" + dir.resolve("state/yml-db") + ";WRITE_DELAY=0\"",
                "  poll:",
                "    interval-seconds: 0.1",
                "    tick-millis: 50",
                ""));
        // the profile's file: the emulator's address in the relaxed (camel case) form, the output folder
        Files.writeString(spring.resolve("application-emulator.yml"), String.join("\n",
                "bulkexport:",
                "  coresignal:",
                "    baseUrl: \"" + sandbox.baseUrl() + "\"",
                "  output:",
                "    dir: \"" + dir.resolve("out") + "\"",
                ""));
        Process app = startTheSpringWay(List.of(
                "--spring.config.additional-location=file:" + spring + "/",
                "--spring.profiles.active=emulator",
                "--server.port=0",
                "--bulkexport.run-mode=once",
                "--bulkexport.state.url=jdbc:h2:file:" + dir.resolve("state/args-db") + ";WRITE_DELAY=0"));
        assertThat(app.waitFor(120, TimeUnit.SECONDS)).as("--bulkexport.run-mode=once over the file's service").isTrue();
        assertThat(app.exitValue()).as(log()).isEqualTo(0);

        assertThat(log()).doesNotContain("matches no job file");
        assertThat(sandbox.submissions()).as("the profile's address, over the base file's").hasSize(1);
        String requestId = sandbox.submissions().get(0).requestId();
        assertThat(landedIds("engineers")).as("the profile's output folder").hasSize(2000).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(sandbox.expectedRecordIds(requestId));
        assertThat(dir.resolve("out-base")).as("the base file's output folder").doesNotExist();
        assertThat(dir.resolve("state/args-db.mv.db")).as("the argument's state database").isRegularFile();
        assertThat(dir.resolve("state/yml-db.mv.db")).as("the base file's state database").doesNotExist();
        assertThat(dir.resolve("data")).as("the packaged defaults' data/out and data/state").doesNotExist();
        assertThat(log()).contains("DONE engineers request=" + requestId).doesNotContain(API_KEY);
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

    /**
     * The jar with no {@code -D} setting at all: the arguments go to Spring, the credential comes from the
     * environment, as in production, and no {@code BULKEXPORT_*} variable of the build's leaks in.
     */
    private Process startTheSpringWay(List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", Path.of(System.getProperty("example.jar", "target/bulk-export-spring-boot.jar"))
                        .toAbsolutePath().toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("app.log").toFile());
        builder.environment().keySet().removeIf(name -> name.toUpperCase(java.util.Locale.ROOT).startsWith("BULKEXPORT")
                || name.toUpperCase(java.util.Locale.ROOT).startsWith("SPRING_"));
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
