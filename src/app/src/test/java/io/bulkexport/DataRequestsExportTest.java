package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.bulkexport.sandbox.DataRequestsSandbox;
import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.Fault;
import io.bulkexport.sandbox.LoggedRequest;
import io.bulkexport.sandbox.SandboxSettings;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OAuth "data requests" API end to end: client credentials, a request id made here, creation, status, data. */
class DataRequestsExportTest {
    private static final String CLIENT_ID = "dr-client-3b8e61";
    private static final String CLIENT_SECRET = "dr-secret-9f04c2d7e1a85b36";

    @TempDir
    Path dir;

    @BeforeEach
    void client() {
        System.setProperty("DATA_REQUESTS_CLIENT_ID", CLIENT_ID);
        System.setProperty("DATA_REQUESTS_CLIENT_SECRET", CLIENT_SECRET);
    }

    @AfterEach
    void noClient() {
        System.clearProperty("DATA_REQUESTS_CLIENT_ID");
        System.clearProperty("DATA_REQUESTS_CLIENT_SECRET");
    }

    private static DataRequestsSandbox sandbox(Duration readyAfter) {
        SandboxSettings settings = SandboxSettings.defaults().withRecordsPerFile(800).withRecordBytes(500)
                .withReadyAfter(readyAfter);
        return new DataRequestsSandbox(settings, CLIENT_ID, CLIENT_SECRET, Duration.ofHours(1)).start();
    }

    private ExportHarness app(DataRequestsSandbox sandbox, String extra) throws Exception {
        return ExportHarness.against(dir, sandbox).set("bulkexport.data-requests.base-url", sandbox.baseUrl())
                .set("bulkexport.data-requests.token-url", sandbox.tokenUrl())
                .job("profiles", "provider: data-requests\ndataset: profile\n" + extra);
    }

    private static List<LoggedRequest> of(DataRequestsSandbox sandbox, EndpointKind kind) {
        return sandbox.requestLog().stream().filter(r -> r.kind() == kind).toList();
    }

    @Test
    void should_create_under_a_random_uuid_and_land_exactly_the_served_records_with_one_token() throws Exception {
        DataRequestsSandbox sandbox = sandbox(Duration.ZERO);
        try (ExportHarness app = app(sandbox, "")) {
            assertThat(app.run()).isEqualTo(0);

            assertThat(sandbox.requestIds()).hasSize(1);
            String id = sandbox.requestIds().get(0);
            assertThat(UUID.fromString(id).version()).isEqualTo(4);
            assertThat(sandbox.creationBody(id).get("dataRequested").get(0).asText()).isEqualTo("profile");
            assertThat(app.requestDir("profiles").getFileName().toString()).isEqualTo(id);
            assertThat(app.landedIds("profiles")).hasSize(800).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(sandbox.expectedRecordIds(id));
            assertThat(sandbox.tokenRequests()).as("the token is cached").isEqualTo(1);
        }
    }

    @Test
    void should_never_make_the_same_request_id_twice() throws Exception {
        DataRequestsSandbox sandbox = sandbox(Duration.ZERO);
        try (ExportHarness app = app(sandbox, "").set("bulkexport.new-run", "all")) {
            assertThat(app.run()).isEqualTo(0);
            assertThat(app.run()).isEqualTo(0);
            assertThat(sandbox.requestIds()).hasSize(2).doesNotHaveDuplicates()
                    .allSatisfy(id -> assertThat(UUID.fromString(id).version()).isEqualTo(4));
        }
    }

    @Test
    void should_not_poll_before_the_expected_completion() throws Exception {
        DataRequestsSandbox sandbox = sandbox(Duration.ofMillis(1500));
        try (ExportHarness app = app(sandbox, "")) {
            assertThat(app.run()).isEqualTo(0);
            // polls every 0.1-0.3 s would ask some 6 times in 1.5 s; the expected completion leaves one pending answer
            assertThat(of(sandbox, EndpointKind.STATUS)).hasSizeLessThanOrEqualTo(3);
            assertThat(app.landedIds("profiles")).hasSize(800);
        }
    }

    @Test
    void should_take_a_new_token_once_on_401_and_go_on() throws Exception {
        DataRequestsSandbox sandbox = sandbox(Duration.ofMillis(300));
        try (ExportHarness app = app(sandbox, "")) {
            sandbox.faults().onStatus(Fault.respond(401, "{\"error\": \"Unauthorized\", \"message\": \"You are not"
                    + " authorized. Generate authentication tokens via OAuth to access this resource.\"}"));
            assertThat(app.run()).isEqualTo(0);
            assertThat(sandbox.tokenRequests()).isEqualTo(2);
            assertThat(app.landedIds("profiles")).hasSize(800);
        }
    }

    @Test
    void should_fail_when_a_fresh_token_is_refused_too_without_creating_anything() throws Exception {
        DataRequestsSandbox sandbox = sandbox(Duration.ZERO);
        String unauthorized = "{\"error\": \"Unauthorized\", \"message\": \"You are not authorized.\"}";
        try (ExportHarness app = app(sandbox, ""); LogCapture logs = new LogCapture(Level.INFO)) {
            sandbox.faults().onSubmit(Fault.respond(401, unauthorized)).onSubmit(Fault.respond(401, unauthorized));
            assertThat(app.run()).isEqualTo(1);
            assertThat(of(sandbox, EndpointKind.SUBMIT)).hasSize(2);
            assertThat(sandbox.tokenRequests()).isEqualTo(2);
            assertThat(logs.text()).contains("FAILED profiles").contains("401").contains("You are not authorized")
                    .contains("check DATA_REQUESTS_CLIENT_ID");
        }
    }

    @Test
    void should_fail_with_the_apis_message_when_the_request_is_unknown() throws Exception {
        DataRequestsSandbox sandbox = sandbox(Duration.ofMillis(300));
        try (ExportHarness app = app(sandbox, ""); LogCapture logs = new LogCapture(Level.INFO)) {
            sandbox.faults().onStatus(Fault.respond(404, "{\"error\": \"Not Found\", \"message\": \"Could not find a"
                    + " data request with this id.\"}"));
            assertThat(app.run()).isEqualTo(1);
            assertThat(logs.text()).contains("FAILED profiles").contains("404")
                    .contains("Could not find a data request with this id.");
        }
    }

    @Test
    void should_store_the_request_id_before_the_creation_call_and_never_send_it_twice() throws Exception {
        DataRequestsSandbox sandbox = sandbox(Duration.ZERO);
        try (ExportHarness app = app(sandbox, ""); LogCapture logs = new LogCapture(Level.INFO)) {
            sandbox.faults().onSubmit(Fault.acceptThenDrop());
            assertThat(app.run()).isEqualTo(1);
            String id = sandbox.requestIds().get(0);
            assertThat(logs.text()).contains("NEEDS_ATTENTION profiles").contains("bulkexport.attach.profiles=" + id);
            assertThat(app.run()).isEqualTo(1);
            assertThat(of(sandbox, EndpointKind.SUBMIT)).hasSize(1);

            app.set("bulkexport.attach.profiles", id); // the id the log names: nothing is created again
            assertThat(app.run()).isEqualTo(0);
            assertThat(of(sandbox, EndpointKind.SUBMIT)).hasSize(1);
            assertThat(app.landedIds("profiles")).hasSize(800);
        }
    }

    @Test
    void should_create_and_download_where_the_job_says_with_its_request_template() throws Exception {
        DataRequestsSandbox sandbox = sandbox(Duration.ZERO);
        Path body = Files.writeString(dir.resolve("body.json"), "{\"purpose\": \"audit ${variable.requestId}\","
                + " \"dataRequested\": [\"${variable.dataset}\", \"contacts\"]}");
        try (ExportHarness app = app(sandbox, "request: " + body + "\ncreate: PUT /requests/${variable.requestId}\n"
                + "download: GET /requests/${variable.requestId}/data\nencoding: gzip\nformat: json\n")) {
            assertThat(app.run()).isEqualTo(0);
            String id = sandbox.requestIds().get(0);
            assertThat(of(sandbox, EndpointKind.SUBMIT)).singleElement()
                    .satisfies(r -> assertThat(r.method() + " " + r.path()).isEqualTo("PUT /requests/" + id));
            assertThat(sandbox.creationBody(id).get("purpose").asText()).isEqualTo("audit " + id);
            assertThat(sandbox.creationBody(id).get("dataRequested")).extracting(n -> n.asText())
                    .containsExactly("profile", "contacts");
            assertThat(app.landedIds("profiles")).hasSize(800);
        }
    }

    @Test
    void should_never_write_the_client_secret_or_a_token_to_logs_state_or_output() throws Exception {
        DataRequestsSandbox sandbox = sandbox(Duration.ofMillis(300));
        try (ExportHarness app = app(sandbox, ""); LogCapture logs = new LogCapture(Level.TRACE)) {
            sandbox.faults().onStatus(Fault.respond(401, "{}")).onDownload(Fault.cutAfterBytes(2000));
            assertThat(app.run()).isEqualTo(0);
            assertThat(logs.lines()).hasSizeGreaterThan(100);
            String written = app.everythingWritten();
            assertThat(logs.text()).doesNotContain(CLIENT_SECRET);
            assertThat(written).doesNotContain(CLIENT_SECRET);
            assertThat(sandbox.issuedTokens()).hasSize(2).allSatisfy(token -> {
                assertThat(logs.text()).doesNotContain(token);
                assertThat(written).doesNotContain(token);
            });
        }
    }
}
