package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulkexport.sandbox.DatafinitiSandbox;
import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.Fault;
import io.bulkexport.sandbox.LoggedRequest;
import io.bulkexport.sandbox.SandboxSettings;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Datafiniti API v4 end to end: search with download, poll, presigned result files, JSON Lines and CSV. */
class DatafinitiExportTest {
    static final String TOKEN = "df-test-token-8c41e0b97a2d55";

    @TempDir
    Path dir;

    @BeforeEach
    void token() {
        System.setProperty("DATAFINITI_API_TOKEN", TOKEN);
    }

    @AfterEach
    void noToken() {
        System.clearProperty("DATAFINITI_API_TOKEN");
    }

    static SandboxSettings small() {
        return SandboxSettings.defaults().withFilesPerRequest(3).withRecordsPerFile(400).withRecordBytes(400)
                .withReadyAfter(Duration.ZERO).withApiKey(TOKEN);
    }

    private ExportHarness app(DatafinitiSandbox sandbox, String format, String limit) throws Exception {
        return ExportHarness.against(dir, sandbox).set("bulkexport.datafiniti.base-url", sandbox.baseUrl())
                .set("bulkexport.datafiniti.download-hosts", sandbox.storageHost())
                .job("hotels", "provider: datafiniti\ndataset: businesses\nquery: categories:hotels AND city:Austin\n"
                        + "format: " + format + "\n" + limit + "\n");
    }

    private static List<LoggedRequest> downloads(DatafinitiSandbox sandbox) {
        return sandbox.requestLog().stream().filter(r -> r.kind() == EndpointKind.DOWNLOAD).toList();
    }

    @Test
    void should_land_exactly_the_served_json_records_and_send_the_search_as_documented() throws Exception {
        DatafinitiSandbox sandbox = new DatafinitiSandbox(small()).start();
        try (ExportHarness app = app(sandbox, "json", "limit: 1000")) {
            assertThat(app.run()).isEqualTo(0);

            JsonNode submitted = sandbox.submissions().get(0);
            assertThat(submitted.get("query").asText()).isEqualTo("categories:hotels AND city:Austin");
            assertThat(submitted.get("format").asText()).isEqualTo("JSON");
            assertThat(submitted.get("records").asLong()).isEqualTo(1000);
            String id = submitted.get("id").asText();
            assertThat(app.landedRecords("hotels")).hasSize(1000)
                    .containsExactlyInAnyOrderElementsOf(sandbox.expectedRecords(id));
            assertThat(app.manifest("hotels").get("files")).extracting(f -> f.get("source").asText())
                    .containsExactly(id + "_1.txt", id + "_2.txt", id + "_3.txt");
            assertThat(downloads(sandbox)).hasSize(3).allMatch(r -> r.status() == 200);
            assertThat(sandbox.storage().refusedForAuthorizationHeader()).isZero();
        }
    }

    @Test
    void should_decode_csv_with_awkward_rows_into_one_record_per_row_and_quarantine_broken_rows() throws Exception {
        DatafinitiSandbox sandbox = new DatafinitiSandbox(small().withMalformedEvery(50)).start();
        try (ExportHarness app = app(sandbox, "csv", "limit: 1200")) {
            assertThat(app.run()).isEqualTo(0);

            String id = sandbox.submissions().get(0).get("id").asText();
            assertThat(sandbox.submissions().get(0).get("format").asText()).isEqualTo("CSV");
            List<JsonNode> landed = app.landedRecords("hotels");
            assertThat(landed).hasSize(1200 - 24).containsExactlyInAnyOrderElementsOf(sandbox.expectedRecords(id));
            assertThat(landed).anySatisfy(r -> assertThat(r.get("description").asText()).contains("\n").contains(","))
                    .anySatisfy(r -> assertThat(r.get("name").asText()).contains("\"").contains(","))
                    .anySatisfy(r -> assertThat(r.get("city").asText()).isEqualTo("東京"));
            List<JsonNode> quarantined = app.quarantined("hotels");
            assertThat(quarantined).hasSize((int) sandbox.malformedCount(id));
            assertThat(quarantined).allSatisfy(q -> {
                assertThat(q.get("reason").asText()).isEqualTo("row has 7 fields, the header has 6");
                assertThat(q.get("line").asLong()).isGreaterThan(1);
                assertThat(q.get("source_file").asText()).endsWith(".csv");
            });
            assertThat(app.manifest("hotels").get("quarantined").asLong()).isEqualTo(24);
        }
    }

    @Test
    void should_keep_polling_through_queued_running_and_in_progress() throws Exception {
        DatafinitiSandbox sandbox = new DatafinitiSandbox(small().withReadyAfter(Duration.ofMillis(900))).start();
        try (ExportHarness app = app(sandbox, "json", "limit: 100")) {
            assertThat(app.run()).isEqualTo(0);
            String id = sandbox.submissions().get(0).get("id").asText();
            assertThat(sandbox.answeredStatuses(id)).contains("queued", "running", "in_progress").endsWith("completed");
            assertThat(app.landedRecords("hotels")).hasSize(100);
        }
    }

    @Test
    void should_fail_as_cancelled_when_the_download_is_cancelled() throws Exception {
        DatafinitiSandbox sandbox = new DatafinitiSandbox(small()).start();
        sandbox.endV4DownloadsWith("cancelled");
        try (ExportHarness app = app(sandbox, "json", "limit: 100"); LogCapture logs = new LogCapture(Level.INFO)) {
            assertThat(app.run()).isEqualTo(1);
            assertThat(logs.text()).contains("FAILED hotels").contains("cancelled at the vendor");
            assertThat(downloads(sandbox)).isEmpty();
        }
    }

    @Test
    void should_fail_naming_any_other_status() throws Exception {
        DatafinitiSandbox sandbox = new DatafinitiSandbox(small()).start();
        sandbox.endV4DownloadsWith("error");
        try (ExportHarness app = app(sandbox, "json", "limit: 100"); LogCapture logs = new LogCapture(Level.INFO)) {
            assertThat(app.run()).isEqualTo(1);
            assertThat(logs.text()).contains("FAILED hotels").contains("status 'error'")
                    .contains("the download failed while collecting records");
        }
    }

    @Test
    void should_follow_download_urls_only_to_allowed_hosts_and_never_a_redirect() throws Exception {
        DatafinitiSandbox sandbox = new DatafinitiSandbox(small().withFilesPerRequest(4)).start();
        try (ServerSocket trap = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ExportHarness app = app(sandbox, "json", "limit: 1600"); LogCapture logs = new LogCapture(Level.DEBUG)) {
            AtomicInteger connections = new AtomicInteger();
            Thread accepting = new Thread(() -> {
                while (!trap.isClosed()) {
                    try (Socket socket = trap.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            accepting.start();
            String trapUrl = "http://localhost:" + trap.getLocalPort();
            // file 0 as served; file 1 redirected to the trap; file 2 at the trap, by a name not on the list; file 3
            // at the cloud metadata address
            sandbox.rewriteLinks((index, url) -> switch (index) {
                case 2 -> url.replaceFirst("^http://127\\.0\\.0\\.1:\\d+", trapUrl);
                case 3 -> url.replaceFirst("^http://127\\.0\\.0\\.1:\\d+", "https://169.254.169.254");
                default -> url;
            });
            sandbox.faults().onDownloadOfFile(1, Fault.respond(302, "{}", "Location", trapUrl + "/elsewhere"));

            assertThat(app.run()).isEqualTo(1);

            String id = sandbox.submissions().get(0).get("id").asText();
            assertThat(app.landedRecords("hotels")).hasSize(400)
                    .containsExactlyElementsOf(sandbox.expectedRecords(id).subList(0, 400));
            assertThat(logs.text()).contains("INCOMPLETE hotels")
                    .contains("answered 302").contains("never redirected elsewhere")
                    .contains("points to http://localhost, which is not in bulkexport.datafiniti.download-hosts")
                    .contains("points to https://169.254.169.254, which is not in")
                    .doesNotContain("X-Amz-Signature").doesNotContain("/elsewhere");
            assertThat(downloads(sandbox)).as("only files 0 and 1 reached the storage").hasSize(2);
            trap.close();
            accepting.join(5000);
            assertThat(connections.get()).as("connections to a host not allowed").isZero();
        }
    }

    @Test
    void should_list_again_for_fresh_urls_when_the_storage_refuses_one_as_expired() throws Exception {
        DatafinitiSandbox sandbox = new DatafinitiSandbox(small()).start();
        sandbox.refuseLinksOfFirstListings(1);
        try (ExportHarness app = app(sandbox, "json", "limit: 1200")) {
            assertThat(app.run()).isEqualTo(0);
            String id = sandbox.submissions().get(0).get("id").asText();
            assertThat(app.landedRecords("hotels")).hasSize(1200)
                    .containsExactlyInAnyOrderElementsOf(sandbox.expectedRecords(id));
            assertThat(sandbox.storage().refusedAsExpired()).isBetween(1, 3);
            assertThat(sandbox.listings(id)).isGreaterThan(1);
            assertThat(downloads(sandbox)).filteredOn(r -> r.status() == 200).hasSize(3);
        }
    }

    @Test
    void should_list_again_before_fetching_a_url_whose_signature_has_run_out() throws Exception {
        DatafinitiSandbox sandbox = new DatafinitiSandbox(small()).start();
        sandbox.expireLinksOfFirstListings(1);
        try (ExportHarness app = app(sandbox, "json", "limit: 1200")) {
            assertThat(app.run()).isEqualTo(0);
            assertThat(app.landedRecords("hotels")).hasSize(1200);
            assertThat(sandbox.storage().refusedAsExpired()).as("no request to a URL known to be dead").isZero();
            assertThat(downloads(sandbox)).hasSize(3).allMatch(r -> r.status() == 200);
        }
    }

    @Test
    void should_fail_a_file_once_its_fresh_url_is_refused_too_and_never_retry_it_as_is() throws Exception {
        DatafinitiSandbox sandbox = new DatafinitiSandbox(small()).start();
        sandbox.refuseLinksOfFirstListings(1000);
        try (ExportHarness app = app(sandbox, "json", "limit: 400"); LogCapture logs = new LogCapture(Level.INFO)) {
            assertThat(app.run()).isEqualTo(1);
            assertThat(downloads(sandbox)).hasSize(2).allMatch(r -> r.status() == 403);
            assertThat(logs.text()).contains("INCOMPLETE hotels").contains("answered 403")
                    .contains("Request has expired");
            assertThat(logs.text()).doesNotContain("X-Amz-Signature");
        }
    }

    @Test
    void should_retry_as_the_provider_says_then_fetch_again_after_a_restart_with_fresh_urls() throws Exception {
        DatafinitiSandbox sandbox = new DatafinitiSandbox(small()).start();
        sandbox.faults().onDownloadOfFile(1, Fault.respond(503, "{}")).onDownloadOfFile(1, Fault.respond(503, "{}"))
                .onDownloadOfFile(1, Fault.respond(503, "{}"));
        try (ExportHarness app = app(sandbox, "json", "limit: 1200").set("bulkexport.datafiniti.retry.max-retries", "2")) {
            assertThat(app.run()).isEqualTo(1); // file 2 failed after its 2 retries: the run is incomplete
            String id = sandbox.submissions().get(0).get("id").asText();
            assertThat(downloads(sandbox)).filteredOn(r -> r.path().endsWith("_2.txt")).hasSize(3)
                    .allMatch(r -> r.status() == 503);
            int listingsBefore = sandbox.listings(id);

            assertThat(app.run()).isEqualTo(0); // a new process: it holds no URL, so it lists the files again
            assertThat(sandbox.submissions()).hasSize(1);
            assertThat(sandbox.listings(id)).isEqualTo(listingsBefore + 1);
            assertThat(app.landedRecords("hotels")).hasSize(1200).containsExactlyInAnyOrderElementsOf(
                    sandbox.expectedRecords(id));
        }
    }

    @Test
    void should_send_every_match_only_when_the_job_says_all_records() throws Exception {
        DatafinitiSandbox sandbox = new DatafinitiSandbox(small()).start();
        try (ExportHarness app = app(sandbox, "json", "all_records: true")) {
            assertThat(app.run()).isEqualTo(0);
            assertThat(sandbox.submissions().get(0).get("records").isNull()).isTrue();
            assertThat(app.landedRecords("hotels")).hasSize(1200);
        }
    }

    @Test
    void should_never_write_the_token_or_a_url_signature_to_logs_state_or_output() throws Exception {
        DatafinitiSandbox sandbox = new DatafinitiSandbox(small()).start();
        sandbox.refuseLinksOfFirstListings(1);
        sandbox.faults().onSubmit(Fault.respond(429, "{}", "Retry-After", "0"))
                .onDownloadOfFile(0, Fault.cutAfterBytes(1000));
        try (ExportHarness app = app(sandbox, "csv", "limit: 1200"); LogCapture logs = new LogCapture(Level.TRACE)) {
            assertThat(app.run()).isEqualTo(0);
            assertThat(logs.lines()).hasSizeGreaterThan(100);
            String written = app.everythingWritten();
            assertThat(sandbox.storage().issuedSignatures()).hasSizeGreaterThan(3).allSatisfy(signature -> {
                assertThat(logs.text()).doesNotContain(signature);
                assertThat(written).doesNotContain(signature);
            });
            assertThat(logs.text()).doesNotContain(TOKEN).doesNotContain("X-Amz-Signature")
                    .doesNotContain("X-Amz-Credential");
            assertThat(written).doesNotContain(TOKEN).doesNotContain("X-Amz-");
        }
    }
}
