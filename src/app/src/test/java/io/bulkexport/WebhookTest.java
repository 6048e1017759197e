package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.SandboxSettings;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coresignal webhooks against the sandbox, which calls a submission's webhook_url when the request is ready: the
 * call brings the status check forward (the slow fallback poll is set to 10 minutes), forged and repeated calls
 * cost no vendor call beyond a handful, and a lost call still lands through the fallback poll.
 */
class WebhookTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    @Test
    void a_ready_request_lands_within_seconds_of_its_webhook_and_the_token_stays_out_of_the_logs() throws Exception {
        SandboxSettings settings = SandboxSettings.defaults().withFilesPerRequest(2).withRecordsPerFile(50)
                .withReadyAfter(Duration.ofSeconds(3));
        try (LogCapture logs = new LogCapture(Level.INFO);
             ExportHarness app = new ExportHarness(dir, settings);
             ServiceEndpointsTest.Service service = new ServiceEndpointsTest.Service(app)) {
            app.esDslJob("hooked").set("bulkexport.webhook.poll-interval-seconds", "600")
                    .set("bulkexport.webhook.public-url", service.apiUrl());
            service.start();
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> Files.exists(app.requestDir("hooked").resolve("_manifest.json")));
            String requestId = app.onlyRequestId();
            assertThat(app.sandbox.webhooksCalled()).containsExactly(requestId + "=202");
            long landedAfter = Duration.ofNanos(System.nanoTime()).minus(Duration.ofNanos(
                    app.sandbox.requestLog().get(0).arrivalNanos())).toSeconds();
            assertThat(landedAfter).as("seconds from submission to landed (ready after 3)").isLessThan(12);
            assertThat(statusChecks(app)).as("the one status check the webhook brought forward").isEqualTo(1);
            assertThat(app.outputFiles("hooked")).hasSize(2);

            // the run is done: its token still names it, but there is no status check left to bring forward
            String token = token(app);
            assertThat(post(service.apiUrl() + "/webhooks/coresignal/" + token)).isEqualTo(202);
            Thread.sleep(300);
            assertThat(statusChecks(app)).isEqualTo(1);
            assertThat(logs.text()).doesNotContain(token).contains("webhook");
            assertThat(service.api("/api/status", "GET").body() + service.get("/observe/metrics").body()
                    + service.get("/observe/health?exposureLevel=full&data=true").body())
                    .as("no endpoint shows the token").doesNotContain(token);
        }
    }

    @Test
    void a_one_shot_run_listens_for_its_webhook_with_the_public_url_alone() throws Exception {
        SandboxSettings settings = SandboxSettings.defaults().withFilesPerRequest(1).withRecordsPerFile(20)
                .withReadyAfter(Duration.ofSeconds(2));
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (ExportHarness app = new ExportHarness(dir, settings)) {
            // once mode, and nothing but the URL: no service-api or camel.server setting
            app.esDslJob("once-hooked").set("bulkexport.webhook.poll-interval-seconds", "600")
                    .set("camel.server.port", String.valueOf(port))
                    .set("bulkexport.webhook.public-url", "http://127.0.0.1:" + port);
            long started = System.nanoTime();
            assertThat(app.run()).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - started).toSeconds())
                    .as("landed by the webhook, not the 600 s fallback").isLessThan(30);
            assertThat(app.sandbox.webhooksCalled()).containsExactly(app.onlyRequestId() + "=202");
        }
    }

    @Test
    void forged_and_flooding_calls_change_nothing_but_one_status_check() throws Exception {
        SandboxSettings settings = SandboxSettings.defaults().withFilesPerRequest(1).withRecordsPerFile(10)
                .withReadyAfter(Duration.ofSeconds(60));
        try (ExportHarness app = new ExportHarness(dir, settings);
             ServiceEndpointsTest.Service service = new ServiceEndpointsTest.Service(app)) {
            app.sandbox.callWebhooks(false);
            app.esDslJob("flooded").set("bulkexport.webhook.poll-interval-seconds", "600")
                    .set("bulkexport.webhook.public-url", service.apiUrl());
            service.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> !app.sandbox.submissions().isEmpty());
            String token = token(app);
            Thread.sleep(500);
            assertThat(statusChecks(app)).as("no check before the 10-minute fallback").isZero();

            String base = service.apiUrl() + "/webhooks/";
            assertThat(post(base + "coresignal/not-a-token")).isEqualTo(404);
            assertThat(post(base + "coresignal/" + token.substring(1))).isEqualTo(404);
            assertThat(post(base + "datafiniti/" + token)).as("another provider's URL").isEqualTo(404);
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(base + "coresignal/" + token)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(405);
            Thread.sleep(500);
            assertThat(statusChecks(app)).as("forged calls trigger no vendor call").isZero();

            ExecutorService callers = Executors.newFixedThreadPool(16);
            try {
                List<Future<Integer>> burst = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    burst.add(callers.submit(() -> post(base + "coresignal/" + token)));
                }
                for (Future<Integer> call : burst) {
                    assertThat(call.get()).isEqualTo(202);
                }
            } finally {
                callers.shutdownNow();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> statusChecks(app) >= 1);
            Thread.sleep(1000);
            assertThat(statusChecks(app)).as("status checks after 1,000 webhook calls").isBetween(1L, 3L);
            PrometheusText metrics = new PrometheusText(service.get("/observe/metrics").body());
            assertThat(metrics.sum("bulkexport_webhook_calls_total", "outcome", "unknown")).isEqualTo(3);
            assertThat(metrics.sum("bulkexport_webhook_calls_total", "provider", "coresignal")).isEqualTo(1002);
            assertThat(metrics.sum("bulkexport_webhook_calls_total", "outcome", "check_soon"))
                    .isEqualTo(statusChecks(app));
        }
    }

    @Test
    void an_ids_upload_carries_its_webhook_url_too() throws Exception {
        SandboxSettings settings = SandboxSettings.defaults().withFilesPerRequest(1).withReadyAfter(Duration.ofSeconds(2));
        try (ExportHarness app = new ExportHarness(dir, settings);
             ServiceEndpointsTest.Service service = new ServiceEndpointsTest.Service(app)) {
            app.job("by-id", "provider: coresignal\ndataset: employee_clean\nmethod: id_file\nrequest: "
                    + Path.of("config/queries/coresignal-employee-ids.csv").toAbsolutePath() + "\n")
                    .set("bulkexport.webhook.poll-interval-seconds", "600")
                    .set("bulkexport.webhook.public-url", service.apiUrl());
            service.start();
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> Files.exists(app.requestDir("by-id").resolve("_manifest.json")));
            assertThat(app.sandbox.webhooksCalled()).containsExactly(app.onlyRequestId() + "=202");
            assertThat(statusChecks(app)).isEqualTo(1);
        }
    }

    @Test
    void a_lost_webhook_still_lands_through_the_fallback_poll() throws Exception {
        SandboxSettings settings = SandboxSettings.defaults().withFilesPerRequest(1).withRecordsPerFile(10)
                .withReadyAfter(Duration.ofSeconds(1));
        try (ExportHarness app = new ExportHarness(dir, settings);
             ServiceEndpointsTest.Service service = new ServiceEndpointsTest.Service(app)) {
            app.sandbox.callWebhooks(false);
            app.esDslJob("unheard").set("bulkexport.webhook.poll-interval-seconds", "2")
                    .set("bulkexport.webhook.public-url", service.apiUrl());
            service.start();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> Files.exists(app.requestDir("unheard").resolve("_manifest.json")));
            assertThat(app.sandbox.webhooksCalled()).isEmpty();
            assertThat(app.sandbox.submissions().get(0).body()).contains("webhook_url");
        }
    }

    private static long statusChecks(ExportHarness app) {
        return app.sandbox.requestLog().stream().filter(r -> r.kind() == EndpointKind.STATUS).count();
    }

    /** The token the submission carried, from the webhook_url the sandbox received. */
    private static String token(ExportHarness app) throws Exception {
        String url = ExportHarness.JSON.readTree(app.sandbox.submissions().get(0).body()).get("webhook_url").asText();
        assertThat(url).matches("http://127\\.0\\.0\\.1:\\d+/webhooks/coresignal/[A-Za-z0-9_-]{32}");
        return url.substring(url.lastIndexOf('/') + 1);
    }

    private static int post(String url) throws Exception {
        return HTTP.send(request(url), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static HttpRequest request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"completed\"}")).build();
    }
}
