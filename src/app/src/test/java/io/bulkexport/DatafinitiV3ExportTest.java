package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

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

/** Datafiniti API v3 end to end: HTTP Basic, 404 while running, result files that expire 7 days after they are made. */
class DatafinitiV3ExportTest {
    private static final String TOKEN = DatafinitiExportTest.TOKEN;

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

    private ExportHarness app(DatafinitiSandbox sandbox, String format) throws Exception {
        return ExportHarness.against(dir, sandbox).set("bulkexport.datafiniti.base-url", sandbox.baseUrl())
                .set("bulkexport.datafiniti.download-hosts", sandbox.storageHost())
                .job("products", "provider: datafiniti-v3\ndataset: products\nquery: brand:Sony AND categories:tv\n"
                        + "view: products_all\nformat: " + format + "\nlimit: 1000\n");
    }

    private static List<LoggedRequest> of(DatafinitiSandbox sandbox, EndpointKind kind) {
        return sandbox.requestLog().stream().filter(r -> r.kind() == kind).toList();
    }

    @Test
    void should_poll_through_404_then_land_exactly_the_served_records() throws Exception {
        DatafinitiSandbox sandbox = new DatafinitiSandbox(DatafinitiExportTest.small()
                .withReadyAfter(Duration.ofMillis(2500))).start();
        try (ExportHarness app = app(sandbox, "json")) {
            assertThat(app.run()).isEqualTo(0);

            JsonNode submitted = sandbox.submissions().get(0);
            assertThat(submitted.get("api").asText()).isEqualTo("v3");
            assertThat(submitted.get("query").asText()).isEqualTo("brand:Sony AND categories:tv");
            assertThat(submitted.get("view").asText()).isEqualTo("products_all");
            assertThat(submitted.get("format").asText()).isEqualTo("JSON");
            assertThat(submitted.get("records").asLong()).isEqualTo(1000);
            String id = submitted.get("id").asText();
            assertThat(of(sandbox, EndpointKind.STATUS)).extracting(LoggedRequest::status).startsWith(404, 404)
                    .endsWith(200);
            assertThat(app.landedRecords("products")).hasSize(1000)
                    .containsExactlyInAnyOrderElementsOf(sandbox.expectedRecords(id));
            assertThat(app.manifest("products").get("files")).hasSize(3);
            assertThat(of(sandbox, EndpointKind.DOWNLOAD)).hasSize(3).allMatch(r -> r.status() == 200);
        }
    }

    @Test
    void should_land_csv_rows_as_records() throws Exception {
        DatafinitiSandbox sandbox = new DatafinitiSandbox(DatafinitiExportTest.small()).start();
        try (ExportHarness app = app(sandbox, "csv")) {
            assertThat(app.run()).isEqualTo(0);
            String id = sandbox.submissions().get(0).get("id").asText();
            assertThat(app.landedRecords("products")).hasSize(1000)
                    .containsExactlyInAnyOrderElementsOf(sandbox.expectedRecords(id));
        }
    }

    @Test
    void should_mark_files_past_their_7_days_expired_without_fetching_them() throws Exception {
        DatafinitiSandbox sandbox = new DatafinitiSandbox(DatafinitiExportTest.small()).start();
        sandbox.ageV3Files(Duration.ofDays(7).plusMinutes(5));
        try (ExportHarness app = app(sandbox, "json"); LogCapture logs = new LogCapture(Level.INFO)) {
            assertThat(app.run()).isEqualTo(1);
            assertThat(of(sandbox, EndpointKind.DOWNLOAD)).as("no request to a dead URL").isEmpty();
            assertThat(logs.text()).contains("INCOMPLETE products").contains("3 of 3 file(s) expired at the vendor")
                    .contains("bulkexport.new-run=products");

            assertThat(app.run()).isEqualTo(1); // starting again does not try expired files either
            assertThat(of(sandbox, EndpointKind.DOWNLOAD)).isEmpty();
            assertThat(sandbox.submissions()).hasSize(1);
        }
    }

    @Test
    void should_never_send_the_starting_get_again_when_its_answer_is_lost() throws Exception {
        DatafinitiSandbox sandbox = new DatafinitiSandbox(DatafinitiExportTest.small()).start();
        sandbox.faults().onSubmit(Fault.acceptThenDrop());
        try (ExportHarness app = app(sandbox, "json"); LogCapture logs = new LogCapture(Level.INFO)) {
            assertThat(app.run()).isEqualTo(1);
            assertThat(logs.text()).contains("NEEDS_ATTENTION products").contains("bulkexport.attach.products");
            assertThat(app.run()).isEqualTo(1);
            assertThat(of(sandbox, EndpointKind.SUBMIT)).hasSize(1);
            assertThat(sandbox.submissions()).hasSize(1);
        }
    }

    @Test
    void should_never_write_the_token_or_its_basic_form_to_logs_state_or_output() throws Exception {
        DatafinitiSandbox sandbox = new DatafinitiSandbox(DatafinitiExportTest.small()
                .withReadyAfter(Duration.ofMillis(300))).start();
        sandbox.refuseLinksOfFirstListings(1);
        try (ExportHarness app = app(sandbox, "csv"); LogCapture logs = new LogCapture(Level.TRACE)) {
            assertThat(app.run()).isEqualTo(0);
            String basic = Base64.getEncoder().encodeToString((TOKEN + ":").getBytes(StandardCharsets.UTF_8));
            String written = app.everythingWritten();
            assertThat(logs.text()).doesNotContain(TOKEN).doesNotContain(basic).doesNotContain("X-Amz-Signature");
            assertThat(written).doesNotContain(TOKEN).doesNotContain(basic).doesNotContain("X-Amz-");
            assertThat(sandbox.storage().issuedSignatures()).allSatisfy(signature -> {
                assertThat(logs.text()).doesNotContain(signature);
                assertThat(written).doesNotContain(signature);
            });
            assertThat(sandbox.storage().refusedForAuthorizationHeader()).isZero();
        }
    }
}
