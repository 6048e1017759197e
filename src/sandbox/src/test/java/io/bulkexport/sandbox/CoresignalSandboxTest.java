package io.bulkexport.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CoresignalSandboxTest {

    private static final String QUERY = "{\"data_format\":\"json\",\"es_dsl_query\":{\"query\":{\"match_all\":{}}}}";

    private CoresignalSandbox sandbox;
    private SandboxClient client;

    private void start(SandboxSettings settings) {
        sandbox = new CoresignalSandbox(settings).start();
        client = new SandboxClient(sandbox.baseUrl(), "test-key");
    }

    private static SandboxSettings small() {
        return SandboxSettings.defaults().withRecordsPerFile(40).withRecordBytes(300).withReadyAfter(Duration.ZERO);
    }

    @AfterEach
    void stop() {
        if (sandbox != null) {
            sandbox.stop();
        }
    }

    @Test
    void submit_then_pending_then_listing_then_download_serves_exactly_the_expected_ids() throws Exception {
        start(small().withReadyAfter(Duration.ofMillis(400)));
        assertThat(sandbox.baseUrl()).isEqualTo("http://127.0.0.1:" + sandbox.port() + "/cdapi");

        HttpResponse<String> submitted = client.submitJson("employee_base", "es_dsl", QUERY);
        assertThat(submitted.statusCode()).isEqualTo(201);
        String id = SandboxClient.requestId(submitted);
        assertThat(submitted.headers().firstValue("Location")).hasValue("/v2/data_requests/" + id + "/files");

        HttpResponse<String> pending = client.status(id);
        assertThat(pending.statusCode()).isEqualTo(202);
        assertThat(pending.body()).isEqualTo("{\"message\":\"Data request is still being processed\"}");

        List<String> files = client.awaitFiles(id);
        assertThat(files).hasSize(3).allMatch(name -> name.matches("json/part-0000\\d-[0-9a-f-]{36}-c000\\.json\\.gz"));

        List<Long> ids = new ArrayList<>();
        for (String file : files) {
            HttpResponse<byte[]> download = client.download(id, file);
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.headers().firstValue("Content-Type")).hasValue("application/gzip");
            List<String> lines = SandboxClient.gunzipLines(download.body());
            assertThat(lines).hasSize(40);
            lines.forEach(line -> ids.add(SandboxClient.recordId(line)));
        }
        assertThat(ids).doesNotContainNull().doesNotHaveDuplicates();
        assertThat(ids.stream().sorted().toList())
                .isEqualTo(sandbox.expectedRecordIds(id))
                .isEqualTo(LongStream.rangeClosed(1, 120).boxed().toList());

        assertThat(sandbox.submissions()).singleElement().satisfies(submission -> {
            assertThat(submission.requestId()).isEqualTo(id);
            assertThat(submission.dataset()).isEqualTo("employee_base");
            assertThat(submission.method()).isEqualTo("es_dsl");
            assertThat(submission.body()).isEqualTo(QUERY);
            assertThat(submission.limit()).isNull();
        });
        List<LoggedRequest> log = sandbox.requestLog();
        assertThat(log.get(0)).satisfies(first -> {
            assertThat(first.method()).isEqualTo("POST");
            assertThat(first.path()).isEqualTo("/cdapi/v2/data_requests/employee_base/es_dsl");
            assertThat(first.kind()).isEqualTo(EndpointKind.SUBMIT);
            assertThat(first.status()).isEqualTo(201);
        });
        assertThat(log.get(1).status()).isEqualTo(202);
        assertThat(log).filteredOn(entry -> entry.kind() == EndpointKind.DOWNLOAD)
                .hasSize(3).allMatch(entry -> entry.status() == 200);
        assertThat(log).isSortedAccordingTo((a, b) -> Long.compare(a.arrivalNanos(), b.arrivalNanos()));
    }

    @Test
    void every_endpoint_answers401_without_the_right_key() throws Exception {
        start(small().withApiKey("secret"));
        SandboxClient good = client.withKey("secret");
        String id = SandboxClient.requestId(good.submitJson("employee_base", "es_dsl", QUERY));
        String file = good.awaitFiles(id).get(0);

        for (SandboxClient bad : List.of(client.withKey(null), client.withKey("wrong"))) {
            HttpResponse<String> submit = bad.submitJson("employee_base", "es_dsl", QUERY);
            assertThat(submit.statusCode()).isEqualTo(401);
            assertThat(submit.body()).isEqualTo("{\"detail\":\"Invalid API key\"}");
            assertThat(bad.status(id).statusCode()).isEqualTo(401);
            assertThat(bad.download(id, file).statusCode()).isEqualTo(401);
        }
        assertThat(sandbox.submissions()).hasSize(1);
    }

    @Test
    void any_non_empty_key_is_accepted_when_no_key_is_configured() throws Exception {
        start(small());
        assertThat(client.withKey("whatever").submitJson("company_clean", "es_dsl", QUERY).statusCode()).isEqualTo(201);
        assertThat(client.withKey(null).submitJson("company_clean", "es_dsl", QUERY).statusCode()).isEqualTo(401);
    }

    @Test
    void unknown_things_are404() throws Exception {
        start(small());
        HttpResponse<String> unknownDataset = client.submitJson("employee_everything", "es_dsl", QUERY);
        assertThat(unknownDataset.statusCode()).isEqualTo(404);
        assertThat(unknownDataset.body()).isEqualTo("{\"detail\":\"Not Found\"}");
        assertThat(client.submitJson("employee_clean", "filter", QUERY).statusCode()).isEqualTo(404);

        HttpResponse<String> unknownRequest = client.status("no-such-request");
        assertThat(unknownRequest.statusCode()).isEqualTo(404);
        assertThat(unknownRequest.body()).isEqualTo("{\"detail\":\"Data request not found\"}");

        String id = SandboxClient.requestId(client.submitJson("employee_base", "es_dsl", QUERY));
        assertThat(client.download(id, "json/part-99999-nope-c000.json.gz").statusCode()).isEqualTo(404);
        assertThat(client.download("no-such-request", "json/x.json.gz").statusCode()).isEqualTo(404);
        assertThat(sandbox.submissions()).hasSize(1);
    }

    @Test
    void body_that_is_not_json_is400() throws Exception {
        start(small());
        HttpResponse<String> response = client.submitJson("employee_base", "es_dsl", "{not json");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(SandboxClient.json(response.body()).get("detail").asText()).isNotEmpty();
        assertThat(sandbox.submissions()).isEmpty();
    }

    @Test
    void limit_caps_the_records_and_files() throws Exception {
        start(small());
        String id = SandboxClient.requestId(client.submitJson("employee_base", "es_dsl",
                "{\"data_format\":\"json\",\"limit\":45,\"query\":{}}"));
        List<String> files = client.awaitFiles(id);
        assertThat(files).hasSize(2);
        assertThat(SandboxClient.gunzipLines(client.download(id, files.get(1)).body())).hasSize(5);
        assertThat(sandbox.expectedRecordIds(id)).hasSize(45);
        assertThat(sandbox.submissions().get(0).limit()).isEqualTo(45L);
    }

    @Test
    void file_names_may_arrive_with_the_slash_percent_encoded() throws Exception {
        start(small());
        String id = SandboxClient.requestId(client.submitJson("employee_base", "es_dsl", QUERY));
        String file = client.awaitFiles(id).get(0);
        byte[] plain = client.download(id, file).body();
        HttpResponse<byte[]> encoded = client.download(id, file.replace("/", "%2F"));
        assertThat(encoded.statusCode()).isEqualTo(200);
        assertThat(SandboxClient.gunzipLines(encoded.body())).isEqualTo(SandboxClient.gunzipLines(plain));
    }

    @Test
    void variants_seen_on_real_servers_can_be_chosen() throws Exception {
        start(small().withSubmitStatus(200).withIdKey("data_request_id")
                .withPendingStyle(SandboxSettings.PendingStyle.EMPTY_LIST_200).withReadyAfter(Duration.ofHours(1)));
        HttpResponse<String> submitted = client.submitJson("employee_base", "es_dsl", QUERY);
        assertThat(submitted.statusCode()).isEqualTo(200);
        String id = SandboxClient.json(submitted.body()).get("data_request_id").asText();

        HttpResponse<String> pending = client.status(id);
        assertThat(pending.statusCode()).isEqualTo(200);
        assertThat(pending.body()).isEqualTo("{\"data_request_files\":[]}");

        sandbox.readyNow(id);
        assertThat(client.awaitFiles(id)).hasSize(3);
    }

    @Test
    void id_file_serves_one_record_per_given_id() throws Exception {
        start(small().withRecordsPerFile(2));
        String csv = "id\r\n101\r\n205\r\n\r\n307\r\n101\r\n9000000001\r\n";
        HttpResponse<String> submitted = client.submitIdFile("employee_clean", csv);
        assertThat(submitted.statusCode()).isEqualTo(201);
        String id = SandboxClient.requestId(submitted);

        List<String> files = client.awaitFiles(id);
        assertThat(files).hasSize(2);
        List<Long> ids = new ArrayList<>();
        for (String file : files) {
            SandboxClient.gunzipLines(client.download(id, file).body())
                    .forEach(line -> ids.add(SandboxClient.recordId(line)));
        }
        assertThat(ids).containsExactly(101L, 205L, 307L, 9000000001L);
        assertThat(sandbox.expectedRecordIds(id)).containsExactly(101L, 205L, 307L, 9000000001L);
        assertThat(sandbox.submissions().get(0).idCount()).isEqualTo(4);
        assertThat(sandbox.submissions().get(0).body()).isNull();
    }

    @Test
    void id_file_rejects_too_many_ids_and_missing_file() throws Exception {
        start(small());
        String tooMany = LongStream.rangeClosed(1, CoresignalSandbox.MAX_IDS + 1)
                .mapToObj(Long::toString).collect(Collectors.joining("\n"));
        HttpResponse<String> rejected = client.submitIdFile("company_base", tooMany);
        assertThat(rejected.statusCode()).isEqualTo(400);
        assertThat(rejected.body()).isEqualTo("{\"detail\":\"File contains too many IDs\"}");

        String exactlyMax = LongStream.rangeClosed(1, CoresignalSandbox.MAX_IDS)
                .mapToObj(Long::toString).collect(Collectors.joining("\n"));
        assertThat(client.submitIdFile("company_base", exactlyMax).statusCode()).isEqualTo(201);

        HttpResponse<String> noFile = client.submitJson("company_base", "id_file", "{\"data_format\":\"json\"}");
        assertThat(noFile.statusCode()).isEqualTo(400);
        assertThat(sandbox.submissions()).hasSize(1);
    }

    @Test
    void malformed_lines_are_served_but_are_not_expected_records() throws Exception {
        start(small().withFilesPerRequest(2).withRecordsPerFile(10).withMalformedEvery(4));
        String id = SandboxClient.requestId(client.submitJson("employee_base", "es_dsl", QUERY));
        List<Long> ids = new ArrayList<>();
        int malformed = 0;
        for (String file : client.awaitFiles(id)) {
            List<String> lines = SandboxClient.gunzipLines(client.download(id, file).body());
            assertThat(lines).hasSize(10);
            for (String line : lines) {
                Long recordId = SandboxClient.recordId(line);
                if (recordId == null) {
                    malformed++;
                    assertThat(line).startsWith("{\"id\": ");
                } else {
                    ids.add(recordId);
                }
            }
        }
        assertThat(malformed).isEqualTo(4);
        assertThat(sandbox.malformedLineCount(id)).isEqualTo(4);
        assertThat(sandbox.expectedRecordIds(id)).isEqualTo(ids.stream().sorted().toList())
                .hasSize(16).doesNotContain(4L, 8L, 14L, 18L);
    }

    @Test
    void requests_become_ready_after_the_configured_time_or_on_demand() throws Exception {
        start(small().withReadyAfter(Duration.ofHours(1)));
        String first = SandboxClient.requestId(client.submitJson("employee_base", "es_dsl", QUERY));
        String second = SandboxClient.requestId(client.submitJson("employee_base", "es_dsl", QUERY));
        assertThat(client.status(first).statusCode()).isEqualTo(202);
        sandbox.readyNow(first);
        assertThat(client.status(first).statusCode()).isEqualTo(200);
        assertThat(client.status(second).statusCode()).isEqualTo(202);
        sandbox.readyAllNow();
        assertThat(client.status(second).statusCode()).isEqualTo(200);
    }

    @Test
    void files_download_in_parallel() throws Exception {
        start(small().withFilesPerRequest(6).withRecordsPerFile(1000).withRecordBytes(1000));
        String id = SandboxClient.requestId(client.submitJson("employee_base", "es_dsl", QUERY));
        List<CompletableFuture<HttpResponse<byte[]>>> downloads = client.awaitFiles(id).stream()
                .map(file -> client.http.sendAsync(client.downloadRequest(id, file),
                        HttpResponse.BodyHandlers.ofByteArray()))
                .toList();
        List<Long> ids = new ArrayList<>();
        for (CompletableFuture<HttpResponse<byte[]>> download : downloads) {
            SandboxClient.gunzipLines(download.get().body()).stream()
                    .map(SandboxClient::recordId).filter(Objects::nonNull).forEach(ids::add);
        }
        assertThat(ids.stream().sorted().toList()).isEqualTo(sandbox.expectedRecordIds(id)).hasSize(6_000);
    }
}
