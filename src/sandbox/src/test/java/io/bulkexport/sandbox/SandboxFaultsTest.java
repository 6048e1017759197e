package io.bulkexport.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SandboxFaultsTest {

    private static final String QUERY = "{\"data_format\":\"json\",\"es_dsl_query\":{}}";

    private CoresignalSandbox sandbox;
    private SandboxClient client;

    @BeforeEach
    void start() {
        sandbox = new CoresignalSandbox(SandboxSettings.defaults()
                .withRecordsPerFile(2000).withRecordBytes(500).withReadyAfter(Duration.ZERO)).start();
        client = new SandboxClient(sandbox.baseUrl(), "key");
    }

    @AfterEach
    void stop() {
        sandbox.stop();
    }

    private String readyRequest() throws Exception {
        String id = SandboxClient.requestId(client.submitJson("employee_base", "es_dsl", QUERY));
        client.awaitFiles(id);
        return id;
    }

    @Test
    void respond_faults_answer_instead_of_the_handler_once_each() throws Exception {
        sandbox.faults()
                .onSubmit(Fault.respond(429, "{\"detail\":\"Too Many Requests\"}", "Retry-After", "1"))
                .onSubmit(Fault.respond(402, "{\"detail\":\"Insufficient credits\"}"))
                .onSubmit(Fault.respond(409, "{\"detail\":\"Identical data request is already in progress.\"}"));

        HttpResponse<String> limited = client.submitJson("employee_base", "es_dsl", QUERY);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(client.submitJson("employee_base", "es_dsl", QUERY).body()).contains("Insufficient credits");
        assertThat(client.submitJson("employee_base", "es_dsl", QUERY).statusCode()).isEqualTo(409);
        assertThat(sandbox.submissions()).isEmpty();

        assertThat(client.submitJson("employee_base", "es_dsl", QUERY).statusCode()).isEqualTo(201);
        assertThat(sandbox.faults().pending(EndpointKind.SUBMIT)).isZero();
    }

    @Test
    void status_faults_only_hit_status_requests() throws Exception {
        String id = readyRequest();
        sandbox.faults().onStatus(Fault.respond(503, "{\"detail\":\"Service Unavailable\"}"));
        assertThat(client.submitJson("employee_base", "es_dsl", QUERY).statusCode()).isEqualTo(201);
        assertThat(client.status(id).statusCode()).isEqualTo(503);
        assertThat(client.status(id).statusCode()).isEqualTo(200);
    }

    @Test
    void delay_holds_the_answer_back() throws Exception {
        String id = readyRequest();
        sandbox.faults().onStatus(Fault.delay(Duration.ofMillis(300)));
        long start = System.nanoTime();
        HttpResponse<String> status = client.status(id);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(status.statusCode()).isEqualTo(200);
    }

    @Test
    void cut_after_bytes_breaks_the_stream_mid_body() throws Exception {
        String id = readyRequest();
        String file = sandbox.fileNames(id).get(0);
        sandbox.faults().onDownload(Fault.cutAfterBytes(10_000));

        HttpResponse<InputStream> response = client.downloadStream(id, file);
        assertThat(response.statusCode()).isEqualTo(200);
        byte[] buffer = new byte[4096];
        long[] received = {0};
        assertThatThrownBy(() -> {
            try (InputStream in = response.body()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    received[0] += read;
                }
            }
        }).isInstanceOf(IOException.class);
        // a reset may discard bytes already sent, so the client sees at most what the fault let through
        assertThat(received[0]).isLessThanOrEqualTo(10_000);

        assertThat(sandbox.requestLog()).filteredOn(entry -> entry.kind() == EndpointKind.DOWNLOAD)
                .singleElement().extracting(LoggedRequest::status).isEqualTo(200);
        assertThat(client.download(id, file).statusCode()).isEqualTo(200); // the fault was used up
    }

    @Test
    void truncate_gzip_sends_a_clean_response_with_an_incomplete_gzip() throws Exception {
        String id = readyRequest();
        String file = sandbox.fileNames(id).get(0);
        sandbox.faults().onDownload(Fault.truncateGzip(5_000));

        HttpResponse<byte[]> response = client.download(id, file);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).hasSize(5_000);
        assertThatThrownBy(() -> new GZIPInputStream(new ByteArrayInputStream(response.body())).readAllBytes())
                .isInstanceOf(EOFException.class);
    }

    @Test
    void download_faults_can_target_one_file() throws Exception {
        String id = readyRequest();
        List<String> files = sandbox.fileNames(id);
        sandbox.faults().onDownloadOfFile(1, Fault.respond(500, "{\"detail\":\"boom\"}"));

        assertThat(client.download(id, files.get(0)).statusCode()).isEqualTo(200);
        assertThat(client.download(id, files.get(2)).statusCode()).isEqualTo(200);
        assertThat(sandbox.faults().pending(EndpointKind.DOWNLOAD)).isEqualTo(1);
        assertThat(client.download(id, files.get(1)).statusCode()).isEqualTo(500);
        assertThat(client.download(id, files.get(1)).statusCode()).isEqualTo(200);
    }

    @Test
    void accept_then_drop_records_the_submission_but_the_client_hears_nothing() throws Exception {
        sandbox.faults().onSubmit(Fault.acceptThenDrop());

        assertThatThrownBy(() -> client.submitJson("employee_base", "es_dsl", QUERY)).isInstanceOf(IOException.class);

        assertThat(sandbox.submissions()).singleElement().satisfies(submission ->
                assertThat(sandbox.expectedRecordIds(submission.requestId())).hasSize(6000));
        assertThat(sandbox.requestLog()).singleElement()
                .extracting(LoggedRequest::status).isEqualTo(LoggedRequest.NO_RESPONSE);
        assertThat(client.submitJson("employee_base", "es_dsl", QUERY).statusCode()).isEqualTo(201);
    }

    @Test
    void stall_after_bytes_sends_the_start_then_holds_the_rest_back() throws Exception {
        String id = readyRequest();
        String file = sandbox.fileNames(id).get(0);
        int whole = client.download(id, file).body().length;
        Duration stall = Duration.ofSeconds(3);
        sandbox.faults().onDownload(Fault.stallAfterBytes(10_000, stall));

        long start = System.nanoTime();
        try (InputStream in = client.downloadStream(id, file).body()) {
            assertThat(in.readNBytes(10_000)).hasSize(10_000);
            Duration start10k = Duration.ofNanos(System.nanoTime() - start);
            int rest = in.readAllBytes().length;
            assertThat(start10k).isLessThan(stall);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(stall);
            assertThat(10_000 + rest).as("the rest comes after the stall").isEqualTo(whole);
        }
    }

    @Test
    void answer_late_records_the_submission_at_once_but_answers_later() throws Exception {
        Duration late = Duration.ofSeconds(3);
        sandbox.faults().onSubmit(Fault.answerLate(late));
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<String>> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return client.submitJson("employee_base", "es_dsl", QUERY);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(late.minusSeconds(1)).until(() -> sandbox.submissions().size() == 1);
        assertThat(answer).isNotDone();
        assertThat(answer.get().statusCode()).isEqualTo(201);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(late);
        assertThat(SandboxClient.requestId(answer.get())).isEqualTo(sandbox.submissions().get(0).requestId());
    }

    @Test
    void faults_wait_for_an_authenticated_request() throws Exception {
        sandbox.faults().onSubmit(Fault.respond(503, "{}"));
        assertThat(client.withKey(null).submitJson("employee_base", "es_dsl", QUERY).statusCode()).isEqualTo(401);
        assertThat(client.submitJson("employee_base", "es_dsl", QUERY).statusCode()).isEqualTo(503);
    }

    @Test
    void slow_body_sends_the_whole_body_in_chunks_after_pauses() throws Exception {
        String id = readyRequest();
        String file = sandbox.fileNames(id).get(0);
        byte[] normal = client.download(id, file).body();
        int chunk = normal.length / 4 + 1; // four chunks, so four pauses
        sandbox.faults().onDownload(Fault.slowBody(chunk, Duration.ofMillis(150)));

        long start = System.nanoTime();
        HttpResponse<byte[]> slow = client.download(id, file);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(slow.statusCode()).isEqualTo(200);
        assertThat(slow.body()).isEqualTo(normal);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(4 * 150));
        assertThat(sandbox.faults().pending(EndpointKind.DOWNLOAD)).isZero();
    }

    @Test
    void in_flight_lists_the_requests_arrived_and_not_finished() throws Exception {
        String id = readyRequest();
        List<String> files = sandbox.fileNames(id);
        int slowLength = client.download(id, files.get(1)).body().length;
        assertThat(sandbox.inFlight()).isEmpty();
        sandbox.faults().onDownloadOfFile(0, Fault.delay(Duration.ofMillis(3000)))
                .onDownloadOfFile(1, Fault.slowBody(slowLength / 3 + 1, Duration.ofMillis(400)));

        CompletableFuture<HttpResponse<byte[]>> held = client.http.sendAsync(client.downloadRequest(id, files.get(0)),
                HttpResponse.BodyHandlers.ofByteArray());
        CompletableFuture<HttpResponse<byte[]>> slow = client.http.sendAsync(client.downloadRequest(id, files.get(1)),
                HttpResponse.BodyHandlers.ofByteArray());
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (sandbox.inFlight().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        // the held answer has not begun; the slow one has sent its status and is sending its body
        assertThat(sandbox.inFlight()).extracting(r -> r.path().endsWith(files.get(0)), LoggedRequest::kind,
                        LoggedRequest::status)
                .containsExactlyInAnyOrder(tuple(true, EndpointKind.DOWNLOAD, LoggedRequest.IN_PROGRESS),
                        tuple(false, EndpointKind.DOWNLOAD, 200));

        assertThat(held.get().statusCode()).isEqualTo(200);
        assertThat(slow.get().body()).hasSize(slowLength);
        deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!sandbox.inFlight().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(sandbox.inFlight()).isEmpty();
    }
}
