package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulkexport.sandbox.Fault;
import io.bulkexport.sandbox.SandboxSettings;
import io.bulkexport.state.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's management server, read over HTTP as a Kubernetes probe and a Prometheus scraper would: health
 * (liveness, readiness, DOWN while the state database is down and UP again after) and the bundle's metrics, which
 * must equal what the export landed.
 */
class ServiceEndpointsTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void metrics_count_what_the_export_landed_and_parse_as_prometheus_text() throws Exception {
        SandboxSettings settings = SandboxSettings.defaults().withFilesPerRequest(3).withRecordsPerFile(200)
                .withMalformedEvery(40).withReadyAfter(Duration.ofMillis(300));
        try (ExportHarness app = new ExportHarness(dir, settings); Service service = new Service(app)) {
            app.sandbox.sendOnEveryAnswer(Map.of("x-credits-remaining", "4321"));
            app.sandbox.faults().onDownloadOfFile(0, Fault.respond(429, "{\"detail\":\"Too many requests\"}",
                    "Retry-After", "1"));
            app.esDslJob("metered");
            service.start();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> Files.exists(app.requestDir("metered").resolve("_manifest.json")));
            String requestId = app.onlyRequestId();

            String scraped = service.get("/observe/metrics").body();
            PrometheusText metrics = new PrometheusText(scraped);
            JsonNode manifest = app.manifest("metered");
            long records = app.sandbox.expectedRecordIds(requestId).size();
            assertThat(records).isPositive();
            assertThat(metrics.sum("bulkexport_records_landed_total", "provider", "coresignal", "sink", "file"))
                    .isEqualTo(records);
            assertThat(metrics.sum("bulkexport_records_quarantined_total", "provider", "coresignal"))
                    .isEqualTo(app.sandbox.malformedLineCount(requestId)).isPositive();
            assertThat(metrics.sum("bulkexport_files_landed_total", "provider", "coresignal")).isEqualTo(3);
            assertThat(metrics.sum("bulkexport_submissions_total", "provider", "coresignal")).isEqualTo(1);
            assertThat(metrics.sum("bulkexport_runs", "status", "DONE")).isEqualTo(1);
            assertThat(metrics.sum("bulkexport_runs", "status", "SUBMITTED")).isZero();
            // the landed events went to the (packaged, logging) hook routes: none left
            await().atMost(Duration.ofSeconds(10)).until(() -> new PrometheusText(service.get("/observe/metrics")
                    .body()).sum("bulkexport_hook_events_pending") == 0);

            long wire = 0;
            long decoded = 0;
            for (int i = 0; i < 3; i++) {
                byte[] served = app.sandbox.servedFile(requestId, i);
                wire += served.length;
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(served))) {
                    decoded += in.readAllBytes().length;
                }
            }
            assertThat(metrics.sum("bulkexport_downloaded_bytes_total")).isEqualTo(wire);
            assertThat(metrics.sum("bulkexport_decoded_bytes_total")).isEqualTo(decoded);
            long stored = 0;
            for (Path file : app.outputFiles("metered")) {
                stored += Files.size(file);
            }
            assertThat(metrics.sum("bulkexport_stored_bytes_total", "sink", "file")).isEqualTo(stored);
            assertThat(manifest.toString()).contains(String.valueOf(records));

            // the 429 on file 0: one vendor answer counted by code, one retry after the vendor's Retry-After
            assertThat(metrics.sum("bulkexport_vendor_calls_total", "call", "fetch", "code", "429")).isEqualTo(1);
            assertThat(metrics.sum("bulkexport_vendor_calls_total", "call", "fetch", "code", "200")).isEqualTo(3);
            assertThat(metrics.sum("bulkexport_vendor_calls_total", "call", "submit")).isEqualTo(1);
            assertThat(metrics.sum("bulkexport_vendor_calls_total", "call", "status")).isGreaterThanOrEqualTo(1);
            assertThat(metrics.sum("bulkexport_retries_total", "provider", "coresignal", "call", "fetch"))
                    .isEqualTo(1);
            assertThat(metrics.sum("bulkexport_retry_wait_seconds_count", "reason", "retry-after")).isEqualTo(1);
            assertThat(metrics.sum("bulkexport_retry_wait_seconds_sum", "reason", "retry-after")).isEqualTo(1.0);
            assertThat(metrics.sum("bulkexport_vendor_credits_remaining", "provider", "coresignal"))
                    .isEqualTo(4321);
            // every call passed the rate limit, and was timed there
            assertThat(metrics.sum("bulkexport_throttle_wait_seconds_count", "provider", "coresignal"))
                    .isEqualTo(metrics.sum("bulkexport_vendor_calls_total", "provider", "coresignal"));
            assertThat(metrics.sum("bulkexport_request_ready_seconds_count", "provider", "coresignal")).isEqualTo(1);
            assertThat(metrics.sum("bulkexport_file_duration_seconds_count", "provider", "coresignal")).isEqualTo(3);
            // the status API: the job's run, DONE, its files landed, read-only
            HttpResponse<String> status = service.api("/api/status", "GET");
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(status.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            JsonNode job = ExportHarness.JSON.readTree(status.body()).get("jobs").get(0);
            assertThat(job.get("job").asText()).isEqualTo("metered");
            assertThat(job.get("status").asText()).isEqualTo("DONE");
            assertThat(job.get("filesLanded").asInt()).isEqualTo(3);
            assertThat(job.get("records").asLong()).isEqualTo(records);
            assertThat(job.get("requestId").asText()).isEqualTo(requestId);
            HttpResponse<String> run = service.api("/api/runs/" + job.get("runId").asText(), "GET");
            assertThat(run.statusCode()).isEqualTo(200);
            JsonNode files = ExportHarness.JSON.readTree(run.body()).get("files");
            assertThat(files).hasSize(3);
            assertThat(files.findValuesAsText("status")).containsOnly("DONE");
            assertThat(service.api("/api/runs/no-such-run", "GET").statusCode()).isEqualTo(404);
            assertThat(service.api("/api/status", "POST").statusCode()).isEqualTo(405);
            assertThat(status.body() + run.body()).doesNotContain(ExportHarness.API_KEY);

            // every bulkexport metric served is in the operations guide's table
            String guide = Files.readString(Path.of("docs/operations.md"));
            java.util.regex.Matcher served = java.util.regex.Pattern.compile("(?m)^(bulkexport_[a-z_]+)").matcher(scraped);
            while (served.find()) {
                assertThat(guide).contains("| `" + DocsLinksTest.baseName(served.group(1)) + "` |");
            }

            // no request id, file name or job as a label, and no secret anywhere
            assertThat(scraped).doesNotContain(requestId).doesNotContain("part-0").doesNotContain("metered")
                    .doesNotContain(ExportHarness.API_KEY);
        }
    }

    @Test
    void budgets_show_their_use_in_the_metrics_the_status_api_and_the_readiness_details() throws Exception {
        SandboxSettings settings = SandboxSettings.defaults().withFilesPerRequest(2).withRecordsPerFile(150)
                .withReadyAfter(Duration.ofMillis(300));
        try (ExportHarness app = new ExportHarness(dir, settings); Service service = new Service(app)) {
            app.sandbox.sendOnEveryAnswer(Map.of("x-credits-remaining", "4321"));
            app.job("budgeted", "provider: coresignal\ndataset: employee_clean\nmethod: es_dsl\nlimit: 400\nrequest: "
                    + Path.of("config/queries/coresignal-python-engineers.json").toAbsolutePath() + "\n")
                    .set("bulkexport.coresignal.budget.records-per-day", "1000")
                    .set("bulkexport.budget.records-per-month", "5000")
                    .set("bulkexport.coresignal.budget.credits-floor", "100");
            service.start();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> Files.exists(app.requestDir("budgeted").resolve("_manifest.json")));
            long delivered = app.landedRecords("budgeted").size() + app.quarantined("budgeted").size();
            assertThat(delivered).isEqualTo(300); // less than its limit: the DONE run counts what it delivered

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                PrometheusText metrics = new PrometheusText(service.get("/observe/metrics").body());
                assertThat(metrics.sum("bulkexport_budget_records", "provider", "coresignal", "period", "day"))
                        .isEqualTo(1000);
                assertThat(metrics.sum("bulkexport_budget_used", "provider", "coresignal", "period", "day"))
                        .isEqualTo(delivered);
                assertThat(metrics.sum("bulkexport_budget_left", "provider", "coresignal", "period", "day"))
                        .isEqualTo(1000 - delivered);
                assertThat(metrics.sum("bulkexport_budget_left", "provider", "all", "period", "month"))
                        .isEqualTo(5000 - delivered);
            });
            JsonNode budgets = ExportHarness.JSON.readTree(service.api("/api/status", "GET").body()).get("budgets");
            assertThat(budgets.findValuesAsText("budget")).containsExactlyInAnyOrder(
                    "bulkexport.coresignal.budget.records-per-day", "bulkexport.budget.records-per-month",
                    "bulkexport.coresignal.budget.credits-floor");
            assertThat(budgets.get(0).path("used").asLong() + budgets.get(1).path("used").asLong())
                    .isEqualTo(2 * delivered);
            assertThat(budgets.get(2).path("reported").asLong()).isEqualTo(4321);
            String ready = service.get("/observe/health/ready?exposureLevel=full&data=true").body();
            assertThat(ready).containsPattern("\"coresignal\\.budget\\.records-per-day\"\\s*:\\s*\"" + (1000 - delivered)
                    + " of 1000 left\"").containsPattern(
                    "\"coresignal\\.budget\\.credits-floor\"\\s*:\\s*\"floor 100, balance left 4321\"");
        }
    }

    @Test
    void readiness_follows_the_state_database_while_liveness_stays_up() throws Exception {
        Optional<Path> bin = PostgresServer.binaries();
        assumeTrue(bin.isPresent() || System.getenv("BULKEXPORT_REQUIRE_POSTGRES") != null,
                "PostgreSQL is not installed");
        try (PostgresServer postgres = PostgresServer.start(bin.orElseThrow());
             ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults());
             Service service = new Service(app)) {
            app.set("bulkexport.state.url", postgres.jdbcUrl()).set("bulkexport.state.connect-timeout-millis", "1000");
            app.esDslJob("watched");
            service.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> service.get("/observe/health/ready").statusCode() == 200);
            HttpResponse<String> ready = service.get("/observe/health/ready?exposureLevel=full&data=true");
            assertThat(ready.body()).contains("\"bulkexport\"").contains("UP");

            postgres.pause();
            await().atMost(Duration.ofSeconds(20)).until(() -> service.get("/observe/health/ready").statusCode() == 503);
            HttpResponse<String> down = service.get("/observe/health/ready?exposureLevel=full&data=true");
            assertThat(down.body()).contains("DOWN").contains("state database does not answer")
                    .doesNotContain("password");
            assertThat(service.get("/observe/health/live").statusCode())
                    .as("a database outage is no reason to restart the process").isEqualTo(200);

            postgres.resume();
            await().atMost(Duration.ofSeconds(30)).until(() -> service.get("/observe/health/ready").statusCode() == 200);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> Files.exists(app.requestDir("watched").resolve("_manifest.json")));
        }
    }

    @Test
    void readiness_is_down_until_the_start_up_has_resumed_and_started_every_job() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults().withFilesPerRequest(1));
             Service service = new Service(app)) {
            // the start-up submits the one-shot job; its answer comes after 4 s, the start-up waiting for it
            app.sandbox.faults().onSubmit(Fault.delay(Duration.ofSeconds(4)));
            app.esDslJob("slow-start");
            service.start();
            HttpResponse<String> starting = service.get("/observe/health/ready?exposureLevel=full&data=true");
            assertThat(starting.statusCode()).as(starting.body()).isEqualTo(503);
            assertThat(starting.body()).contains("recovering the runs of the previous process and starting the jobs");
            assertThat(service.get("/observe/health/live").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> service.get("/observe/health/ready").statusCode() == 200);
            assertThat(app.sandbox.submissions()).hasSize(1);
        }
    }

    @Test
    void nothing_listens_in_once_mode_unless_asked() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults().withFilesPerRequest(1)
                .withReadyAfter(Duration.ZERO)); LogCapture logs = new LogCapture(org.apache.logging.log4j.Level.INFO)) {
            app.esDslJob("one-shot");
            assertThat(app.run()).isZero();
            assertThat(logs.text()).contains("DONE one-shot").doesNotContain("HttpServer started")
                    .doesNotContain("HTTP Management endpoints");
        }
    }

    @Test
    void a_restarted_service_shows_its_runs_and_zero_counters_before_doing_anything() throws Exception {
        SandboxSettings settings = SandboxSettings.defaults().withFilesPerRequest(1).withRecordsPerFile(20)
                .withReadyAfter(Duration.ZERO);
        try (ExportHarness app = new ExportHarness(dir, settings).esDslJob("earlier")) {
            assertThat(app.run()).isZero();
            try (Service service = new Service(app)) {
                service.start();
                PrometheusText metrics = new PrometheusText(service.get("/observe/metrics").body());
                assertThat(metrics.sum("bulkexport_runs", "status", "DONE")).as("the earlier process's run").isEqualTo(1);
                assertThat(metrics.has("bulkexport_files_landed_total")).as("counters from the start").isTrue();
                assertThat(metrics.sum("bulkexport_files_landed_total", "provider", "coresignal", "sink", "file"))
                        .isZero();
                assertThat(metrics.has("bulkexport_files_superseded_total")).isTrue();
                assertThat(app.sandbox.submissions()).as("nothing submitted again").hasSize(1);
            }
        }
    }

    /** The app in service mode on its own thread, its management server on a free port of 127.0.0.1. */
    static final class Service implements AutoCloseable {
        private final ExportHarness app;
        private final int port;
        private final int apiPort;
        private final ExecutorService thread = Executors.newSingleThreadExecutor();
        private BulkExport export;
        private Future<Integer> exit;

        Service(ExportHarness app) throws IOException {
            this.app = app;
            try (ServerSocket socket = new ServerSocket(0); ServerSocket api = new ServerSocket(0)) {
                port = socket.getLocalPort();
                apiPort = api.getLocalPort();
            }
        }

        void start() {
            app.set("bulkexport.run-mode", "service").set("camel.management.port", String.valueOf(port))
                    .set("camel.server.port", String.valueOf(apiPort));
            export = new BulkExport(app.overrides);
            exit = thread.submit(export::run);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> get("/observe/health/live").statusCode() == 200);
        }

        /** The base URL of Camel's HTTP server (the status API, webhooks). */
        String apiUrl() {
            return "http://127.0.0.1:" + apiPort;
        }

        /** GET from the management server. */
        HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return send(port, path, "GET");
        }

        /** A call to Camel's HTTP server (the status API). */
        HttpResponse<String> api(String path, String method) throws IOException, InterruptedException {
            return send(apiPort, path, method);
        }

        private static HttpResponse<String> send(int port, String path, String method)
                throws IOException, InterruptedException {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        @Override
        public void close() throws Exception {
            try {
                if (export != null) {
                    export.stop();
                    assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(0);
                }
            } finally {
                thread.shutdownNow();
            }
        }
    }
}
