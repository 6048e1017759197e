package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

import io.bulkexport.sandbox.DataRequestsSandbox;
import io.bulkexport.sandbox.DatafinitiSandbox;
import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.Fault;
import io.bulkexport.sandbox.LoggedRequest;
import io.bulkexport.sandbox.SandboxSettings;
import io.bulkexport.state.FileStatus;
import io.bulkexport.state.Run;
import io.bulkexport.state.RunFile;
import io.bulkexport.state.RunStatus;
import io.bulkexport.state.StateStore;
import org.apache.logging.log4j.Level;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every fault a vendor was seen to play, or could, played against the sandboxes through the whole application.
 * What is promised: a fault the retries can outlast ends with the run DONE and exactly the served records, each
 * once, from one submission; one they cannot ends in a clear state — a file FAILED and the run INCOMPLETE with the
 * files already landed kept (starting the job again fetches only the rest), the run FAILED, or NEEDS_ATTENTION
 * when a submission may have been taken — with a message that says what happened and what to do. Nothing is ever
 * submitted twice.
 *
 * <p>Each test asserts its end state exactly and adds one row, written from what it observed, to the table in the
 * docs/reliability.md ({@link FaultTable}): the suite fails when that page says something else.
 */
class VendorFaultsTest {
    /** The table's rows, in its order. */
    enum VendorFault implements FaultTable.Fault {
        RATE_LIMITED_WITH_RETRY_AFTER("429 with Retry-After"),
        RATE_LIMITED_WITHOUT_RETRY_AFTER("429 without Retry-After"),
        SERVER_ERRORS_WITHIN_BOUND("5xx burst, within the retry bound"),
        SERVER_ERRORS_BEYOND_BOUND("5xx burst, beyond the retry bound"),
        CONNECTION_RESET("connection reset mid-body"),
        BODY_STALLS("body stalls past the read timeout"),
        PRESIGNED_BODY_STALLS("body stalls past the read timeout"),
        TRUNCATED_GZIP("truncated gzip"),
        NOT_GZIP("a .json.gz that is not gzip"),
        UNKNOWN_STATUS("unknown status"),
        UNKNOWN_STATUS_UNTIL_TIMEOUT("unknown status, until the poll timeout"),
        STATUS_FIELD_MISSING("status answer without its status field"),
        FILE_LIST_GARBLED("file list missing or garbled"),
        FILE_LISTED_TWICE("a file listed twice"),
        NAMES_DIFFER_IN_EXTENSION_ONLY("file names that differ only in their extensions"),
        SUBMIT_ANSWER_DROPPED("submit accepted, connection dropped before the answer"),
        SUBMIT_ANSWER_TOO_LATE("submit accepted, answer after the client's timeout"),
        PRESIGNED_URL_EXPIRED("expired presigned URL");

        private final String title;

        VendorFault(String title) {
            this.title = title;
        }

        @Override
        public String title() {
            return title;
        }
    }

    private static final FaultTable<VendorFault> TABLE = new FaultTable<>(VendorFault.class);
    private static final String DATAFINITI_TOKEN = "df-faults-token-51c9e07a3b";
    private static final String CLIENT_ID = "dr-faults-client-7d2e";
    private static final String CLIENT_SECRET = "dr-faults-secret-c83f19a6e25d";
    /** A read timeout short enough for a test, long enough for a loaded 2-core machine's normal answers. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(3);
    /** A stall, or a late answer, far longer: waiting it out would show (one fetch, not two; a run that succeeds). */
    private static final Duration STALL = READ_TIMEOUT.multipliedBy(10);

    @TempDir
    Path dir;

    @AfterEach
    void noCredentials() {
        System.clearProperty("DATAFINITI_API_TOKEN");
        System.clearProperty("DATA_REQUESTS_CLIENT_ID");
        System.clearProperty("DATA_REQUESTS_CLIENT_SECRET");
    }

    @AfterAll
    static void writeTheTable() throws Exception {
        TABLE.finish();
    }

    // ------------------------------------------------------------------------------------------------ rate limits

    @Test
    void should_wait_as_long_as_retry_after_says() throws Exception {
        try (ExportHarness app = coresignal()) {
            app.sandbox.faults().onDownloadOfFile(0, Fault.respond(429, "{\"detail\":\"Too many requests\"}",
                    "Retry-After", "1"));
            assertThat(app.run()).isEqualTo(0);

            List<LoggedRequest> file1 = downloadsOfPart(app, 0);
            assertThat(statuses(file1)).containsExactly(429, 200);
            // retries wait 50 ms here: only the vendor's Retry-After explains a second's wait
            Duration waited = between(file1.get(0), file1.get(1));
            assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(950));
            TABLE.add(VendorFault.RATE_LIMITED_WITH_RETRY_AFTER, "coresignal, download",
                    "file 1: " + answers(file1) + " (the 429 with Retry-After: 1)",
                    "recovered: " + doneWithEveryRecordOnce(app, "engineers") + "; file 1 fetched again "
                            + (waited.toMillis() >= 950 ? "after the second asked" : "too soon"));
        }
    }

    @Test
    void should_back_off_exponentially_when_a_429_says_nothing_of_when() throws Exception {
        try (ExportHarness app = coresignal().set("bulkexport.retry.first-delay-millis", "400")
                .set("bulkexport.retry.max-delay-millis", "5000")) {
            String tooMany = "{\"detail\":\"Too many requests\"}";
            app.sandbox.faults().onSubmit(Fault.respond(429, tooMany))
                    .onDownloadOfFile(1, Fault.respond(429, tooMany)).onDownloadOfFile(1, Fault.respond(429, tooMany));
            assertThat(app.run()).isEqualTo(0);

            List<LoggedRequest> submits = requests(app.sandbox.requestLog(), EndpointKind.SUBMIT);
            List<LoggedRequest> file2 = downloadsOfPart(app, 1);
            assertThat(statuses(submits)).containsExactly(429, 201);
            assertThat(statuses(file2)).containsExactly(429, 429, 200);
            assertThat(app.sandbox.submissions()).hasSize(1);
            boolean backedOff = between(submits.get(0), submits.get(1)).toMillis() >= 400
                    && between(file2.get(0), file2.get(1)).toMillis() >= 400
                    && between(file2.get(1), file2.get(2)).toMillis() >= 800;
            assertThat(backedOff).as("waits of 400 ms, then 800 ms").isTrue();
            TABLE.add(VendorFault.RATE_LIMITED_WITHOUT_RETRY_AFTER, "coresignal, submit and download",
                    "submit: " + answers(submits) + "; file 2: " + answers(file2) + "; no Retry-After",
                    "recovered: " + doneWithEveryRecordOnce(app, "engineers") + ", "
                            + submissions(app.sandbox.submissions().size()) + "; "
                            + (backedOff ? "waits doubled from `bulkexport.retry.first-delay-millis`" : "no backoff"));
        }
    }

    // ------------------------------------------------------------------------------------------------ 5xx

    @Test
    void should_outlast_a_burst_of_server_errors_within_the_retry_bound() throws Exception {
        try (ExportHarness app = coresignal()) {
            for (int status : new int[] {502, 503, 504}) {
                String body = "{\"detail\":\"upstream error " + status + "\"}";
                app.sandbox.faults().onStatus(Fault.respond(status, body)).onDownloadOfFile(1, Fault.respond(status, body));
            }
            assertThat(app.run()).isEqualTo(0);

            List<LoggedRequest> statusChecks = requests(app.sandbox.requestLog(), EndpointKind.STATUS);
            List<LoggedRequest> file2 = downloadsOfPart(app, 1);
            assertThat(statuses(statusChecks)).containsExactly(502, 503, 504, 200);
            assertThat(statuses(file2)).containsExactly(502, 503, 504, 200);
            assertThat(downloadsOfPart(app, 0)).hasSize(1);
            assertThat(downloadsOfPart(app, 2)).hasSize(1);
            TABLE.add(VendorFault.SERVER_ERRORS_WITHIN_BOUND, "coresignal, status and download",
                    "status: " + answers(statusChecks) + "; file 2: " + answers(file2),
                    "recovered: " + doneWithEveryRecordOnce(app, "engineers") + "; status checked again at each"
                            + " poll, file 2 fetched " + times(file2.size()) + " (" + (file2.size() - 1) + " of "
                            + maxRetries(app) + " retries)");
        }
    }

    @Test
    void should_keep_the_other_files_when_one_fails_past_the_retry_bound_and_finish_it_when_started_again()
            throws Exception {
        try (ExportHarness app = coresignal(); LogCapture logs = new LogCapture(Level.INFO)) {
            int attempts = 1 + maxRetries(app);
            for (int attempt = 0; attempt < attempts; attempt++) {
                app.sandbox.faults().onDownloadOfFile(1, Fault.respond(503, "{\"detail\":\"Service unavailable\"}"));
            }
            assertThat(app.run()).isEqualTo(1);

            String requestId = app.onlyRequestId();
            List<LoggedRequest> file2 = downloadsOfPart(app, 1);
            assertThat(statuses(file2)).hasSize(attempts).containsOnly(503);
            End first = end(app, "engineers");
            assertThat(first.status()).isEqualTo(RunStatus.INCOMPLETE);
            assertThat(first.message()).startsWith("1 of 3 file(s) failed (first: json/part-00001-")
                    .contains("coresignal answered 503: Service unavailable")
                    .endsWith("files already landed are kept, and starting the job again retries the rest without"
                            + " submitting");
            assertThat(first.files(FileStatus.DONE)).hasSize(2);
            assertThat(first.files(FileStatus.FAILED)).singleElement().satisfies(f -> {
                assertThat(f.fileName()).contains("part-00001");
                assertThat(f.attempts()).isEqualTo(attempts);
            });
            List<Long> kept = app.landedIds("engineers");
            assertThat(kept).hasSize(800).doesNotHaveDuplicates()
                    .isSubsetOf(app.sandbox.expectedRecordIds(requestId));
            assertThat(app.requestDir("engineers").resolve("_manifest.json")).doesNotExist();
            assertThat(logs.text()).contains("INCOMPLETE engineers");
            String firstOutcome = "failed: run " + first.status() + ", " + first.files(FileStatus.DONE).size() + " of "
                    + first.files().size() + " files kept (" + count(kept.size()) + " records), no manifest; message: `"
                    + first.message() + "`";

            long downloadsBefore = requests(app.sandbox.requestLog(), EndpointKind.DOWNLOAD).size();
            assertThat(app.run()).isEqualTo(0);
            List<LoggedRequest> again = requests(app.sandbox.requestLog(), EndpointKind.DOWNLOAD).stream()
                    .skip(downloadsBefore).toList();
            assertThat(again).singleElement().satisfies(r -> assertThat(r.path()).contains("part-00001"));
            assertThat(app.sandbox.submissions()).hasSize(1);
            TABLE.add(VendorFault.SERVER_ERRORS_BEYOND_BOUND, "coresignal, download",
                    "file 2: " + answers(file2),
                    firstOutcome + ". Started again: only " + again.size() + " file fetched, "
                            + doneWithEveryRecordOnce(app, "engineers") + ", "
                            + submissions(app.sandbox.submissions().size()));
        }
    }

    // ------------------------------------------------------------------------------------------------ broken bodies

    @Test
    void should_fetch_a_file_again_from_the_start_when_the_connection_is_reset_mid_body() throws Exception {
        assertRecoveredByFetchingFile2Again(VendorFault.CONNECTION_RESET, Fault.cutAfterBytes(20_000),
                "file 2: status 200, connection closed after 20,000 bytes of the body");
    }

    @Test
    void should_give_up_on_a_stalled_body_after_the_read_timeout_and_fetch_it_again() throws Exception {
        try (ExportHarness app = withReadTimeout(coresignal()); LogCapture logs = new LogCapture(Level.INFO)) {
            app.sandbox.faults().onDownloadOfFile(1, Fault.stallAfterBytes(20_000, STALL));
            assertThat(app.run()).isEqualTo(0);
            List<LoggedRequest> file2 = downloadsOfPart(app, 1);
            assertThat(file2).hasSize(2);
            assertThat(logs.text()).contains("Read timed out");
            TABLE.add(VendorFault.BODY_STALLS, "coresignal, download",
                    "file 2: status 200 and 20,000 bytes, then silence for " + stallInReadTimeouts(),
                    "recovered: " + doneWithEveryRecordOnce(app, "engineers") + "; file 2 fetched "
                            + times(file2.size()) + (logs.text().contains("Read timed out")
                            ? ", after `Read timed out` (`camel.component.http.response-timeout`)" : ""));
        }
    }

    @Test
    void should_give_up_on_a_stalled_presigned_download_after_the_read_timeout_and_fetch_it_again()
            throws Exception {
        DatafinitiSandbox sandbox = datafiniti(SandboxSettings.defaults());
        try (ExportHarness app = withReadTimeout(datafinitiJob(sandbox)); LogCapture logs = new LogCapture(Level.INFO)) {
            sandbox.faults().onDownloadOfFile(1, Fault.stallAfterBytes(20_000, STALL));
            assertThat(app.run()).isEqualTo(0);
            List<LoggedRequest> file2 = downloadsNamed(sandbox.requestLog(), "847070_2.txt");
            assertThat(file2).hasSize(2);
            assertThat(logs.text()).contains("Read timed out");
            TABLE.add(VendorFault.PRESIGNED_BODY_STALLS, "datafiniti, presigned file",
                    "847070_2.txt: status 200 and 20,000 bytes, then silence for " + stallInReadTimeouts(),
                    "recovered: " + doneWithEveryRecordOnce(app, "hotels", sandbox) + "; 847070_2.txt fetched "
                            + times(file2.size()) + (logs.text().contains("Read timed out")
                            ? ", after `Read timed out` (`camel.component.http.so-timeout`)" : ""));
        }
    }

    @Test
    void should_fetch_a_truncated_gzip_again_from_the_start() throws Exception {
        assertRecoveredByFetchingFile2Again(VendorFault.TRUNCATED_GZIP, Fault.truncateGzip(5_000),
                "file 2: a complete HTTP answer holding the first 5,000 bytes of the gzip");
    }

    /** Plays the fault on the first fetch of Coresignal's file 2: a second fetch must land it, the partial one gone. */
    private void assertRecoveredByFetchingFile2Again(VendorFault row, Fault fault, String vendorDid) throws Exception {
        try (ExportHarness app = coresignal()) {
            app.sandbox.faults().onDownloadOfFile(1, fault);
            assertThat(app.run()).isEqualTo(0);
            List<LoggedRequest> file2 = downloadsOfPart(app, 1);
            assertThat(file2).hasSize(2);
            assertThat(app.allFiles()).noneMatch(p -> p.getFileName().toString().endsWith(".part"));
            TABLE.add(row, "coresignal, download", vendorDid, "recovered: " + doneWithEveryRecordOnce(app, "engineers")
                    + "; file 2 fetched " + times(file2.size()) + ", no partial output left");
        }
    }

    @Test
    void should_fail_a_file_that_is_not_gzip_at_once_naming_it_and_keep_the_others() throws Exception {
        try (ExportHarness app = coresignal(); LogCapture logs = new LogCapture(Level.INFO)) {
            // once only: fetching it again would get the real file, so a retry would show as a second fetch
            app.sandbox.faults().onDownloadOfFile(1, Fault.respond(200, "{\"id\": 1}\n{\"id\": 2}\n"));
            assertThat(app.run()).isEqualTo(1);

            List<LoggedRequest> file2 = downloadsOfPart(app, 1);
            assertThat(file2).hasSize(1);
            End first = end(app, "engineers");
            RunFile failed = first.files(FileStatus.FAILED).get(0);
            assertThat(first.status()).isEqualTo(RunStatus.INCOMPLETE);
            assertThat(failed.message()).isEqualTo(failed.fileName() + " should be gzip but is not: it starts with"
                    + " 7b 22 ('{': JSON text, uncompressed?), not gzip's 1f 8b; not retried, since fetching it again"
                    + " would give the same bytes");
            assertThat(failed.attempts()).isEqualTo(1);
            assertThat(app.landedIds("engineers")).hasSize(800).doesNotHaveDuplicates();
            assertThat(logs.text()).contains("file " + failed.fileName() + " failed: " + failed.fileName()
                    + " should be gzip but is not").doesNotContain("ZipException");
            String firstOutcome = "failed: file 2, fetched " + times(file2.size()) + ", run " + first.status() + ", "
                    + first.files(FileStatus.DONE).size() + " of " + first.files().size() + " files kept; message: `"
                    + failed.message() + "`";

            assertThat(app.run()).isEqualTo(0);
            TABLE.add(VendorFault.NOT_GZIP, "coresignal, download",
                    "file 2: status 200, body plain JSON Lines",
                    firstOutcome + ". Started again: file 2 fetched again, " + doneWithEveryRecordOnce(app, "engineers"));
        }
    }

    // ------------------------------------------------------------------------------------------------ status answers

    @Test
    void should_check_again_when_the_status_is_one_it_does_not_know() throws Exception {
        DatafinitiSandbox sandbox = datafiniti(SandboxSettings.defaults());
        try (ExportHarness app = datafinitiJob(sandbox); LogCapture logs = new LogCapture(Level.INFO)) {
            sandbox.faults().onStatus(Fault.respond(200, datafinitiStatus("preparing")))
                    .onStatus(Fault.respond(200, datafinitiStatus("preparing")));
            assertThat(app.run()).isEqualTo(0);
            List<LoggedRequest> checks = requests(sandbox.requestLog(), EndpointKind.STATUS);
            assertThat(checks).hasSize(3);
            List<String> warnings = warnings(logs, "will check again: ");
            assertThat(warnings).hasSize(2).allMatch(w -> w.equals("datafiniti answered status 'preparing', which its"
                    + " declaration does not list (pending: queued running in_progress; ready: completed)"));
            TABLE.add(VendorFault.UNKNOWN_STATUS, "datafiniti, status",
                    "status 'preparing' twice, then 'completed'",
                    "recovered: " + doneWithEveryRecordOnce(app, "hotels", sandbox) + "; checked again after each,"
                            + " warning: `" + warnings.get(0) + "`");
        }
    }

    @Test
    void should_fail_at_the_poll_timeout_naming_the_unknown_status_and_how_to_resume() throws Exception {
        DatafinitiSandbox sandbox = datafiniti(SandboxSettings.defaults());
        try (ExportHarness app = datafinitiJob(sandbox).set("bulkexport.poll.timeout-minutes", "0.02")) {
            for (int i = 0; i < 200; i++) {
                sandbox.faults().onStatus(Fault.respond(200, datafinitiStatus("preparing")));
            }
            assertThat(app.run()).isEqualTo(1);
            End end = end(app, "hotels");
            assertThat(end.status()).isEqualTo(RunStatus.FAILED);
            assertThat(end.message()).matches("request 847070 was not ready after \\d+ (ms|s)"
                    + " \\(bulkexport.poll.timeout-minutes\\); last check: status check failed: datafiniti answered"
                    + " status 'preparing', .*; it may still complete: resume it later with"
                    + " -Dbulkexport.attach.hotels=847070");
            assertThat(requests(sandbox.requestLog(), EndpointKind.DOWNLOAD)).isEmpty();
            assertThat(sandbox.submissions()).hasSize(1);
            TABLE.add(VendorFault.UNKNOWN_STATUS_UNTIL_TIMEOUT, "datafiniti, status",
                    "status 'preparing' at every check",
                    "failed: run " + end.status() + " at `bulkexport.poll.timeout-minutes`, nothing fetched, "
                            + submissions(sandbox.submissions().size()) + "; message: `" + end.message() + "`");
        }
    }

    @Test
    void should_check_again_when_the_status_answer_lacks_its_status_field() throws Exception {
        DataRequestsSandbox sandbox = dataRequests();
        try (ExportHarness app = dataRequestsJob(sandbox); LogCapture logs = new LogCapture(Level.INFO)) {
            sandbox.faults().onStatus(Fault.respond(200, "{\"requestId\": \"x\", \"createdAt\": \"2025-01-01T00:00:00Z\"}"));
            assertThat(app.run()).isEqualTo(0);
            String id = sandbox.requestIds().get(0);
            assertThat(app.landedIds("profiles")).hasSize(800).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(sandbox.expectedRecordIds(id));
            List<String> warnings = warnings(logs, "will check again: ");
            assertThat(warnings).containsExactly("the data-requests status answer has no 'isCompleted'");
            TABLE.add(VendorFault.STATUS_FIELD_MISSING, "data-requests, status",
                    "status 200 without isCompleted, then a complete answer",
                    "recovered: " + doneWith(app, "profiles", app.landedIds("profiles").size()) + "; checked again,"
                            + " warning: `" + warnings.get(0) + "`");
        }
    }

    @Test
    void should_never_take_a_missing_or_garbled_file_list_for_a_complete_one() throws Exception {
        try (ExportHarness app = coresignalServing(storedFiles(3, 100)); LogCapture logs = new LogCapture(Level.INFO)) {
            app.sandbox.faults().onStatus(Fault.respond(200, "{\"request_id\": \"r-1\"}"))
                    .onStatus(Fault.respond(200, "{\"data_request_files\": [\"json/part-00000.json.gz\", 42]}"));
            assertThat(app.run()).isEqualTo(0);
            List<LoggedRequest> checks = requests(app.sandbox.requestLog(), EndpointKind.STATUS);
            assertThat(checks).hasSize(3);
            List<String> warnings = warnings(logs, "will check again: ");
            assertThat(warnings).containsExactly(
                    "the answer has no 'data_request_files' list: {\"request_id\":\"r-1\"}",
                    "the answer's 'data_request_files' list holds 42, not a file name");
            assertThat(end(app, "engineers").files()).hasSize(3);
            TABLE.add(VendorFault.FILE_LIST_GARBLED, "coresignal, status",
                    "status 200 without data_request_files; then a list holding one name and 42; then the list",
                    "recovered: " + doneWithEveryRecordOnce(app, "engineers") + ", from " + end(app, "engineers").files()
                            .size() + " files; checked again after each, warnings: `" + String.join("`, `", warnings)
                            + "`");
        }
    }

    @Test
    void should_land_a_file_listed_twice_once() throws Exception {
        try (ExportHarness app = coresignalServing(storedFiles(3, 100)); LogCapture logs = new LogCapture(Level.INFO)) {
            app.sandbox.faults().onStatus(Fault.respond(200, "{\"data_request_files\": [\"json/part-00000.json.gz\","
                    + " \"json/part-00001.json.gz\", \"json/part-00000.json.gz\", \"json/part-00002.json.gz\","
                    + " \"json/part-00001.json.gz\"]}"));
            assertThat(app.run()).isEqualTo(0);
            List<LoggedRequest> downloads = requests(app.sandbox.requestLog(), EndpointKind.DOWNLOAD);
            assertThat(downloads).hasSize(3);
            assertThat(app.outputFiles("engineers")).hasSize(3);
            assertThat(app.manifest("engineers").get("files")).hasSize(3);
            assertThat(logs.text()).contains("is ready: 3 file(s) (the vendor listed 5 names: each file is fetched once)");
            TABLE.add(VendorFault.FILE_LISTED_TWICE, "coresignal, status",
                    "5 names for 3 files: files 1 and 2 listed twice",
                    "recovered: " + doneWithEveryRecordOnce(app, "engineers") + "; " + downloads.size()
                            + " fetches, " + app.outputFiles("engineers").size() + " output files, "
                            + app.manifest("engineers").get("files").size() + " in the manifest");
        }
    }

    @Test
    void should_land_files_whose_names_differ_only_in_their_extensions_side_by_side() throws Exception {
        Path served = Files.createDirectories(dir.resolve("served"));
        List<String> names = List.of("part-00000.json.gz", "part-00000.jsonl.gz", "part-00000.JSON.gz");
        for (int file = 0; file < names.size(); file++) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(served.resolve(names.get(file))))) {
                for (int record = 1; record <= 100; record++) {
                    out.write(("{\"id\":" + (file * 100 + record) + "}\n").getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        try (ExportHarness app = coresignalServing(served)) {
            assertThat(app.run()).isEqualTo(0);
            // each would be part-00000.jsonl: before, each landing replaced the one before, and 200 records were lost
            assertThat(app.landedIds("engineers")).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(java.util.stream.LongStream.rangeClosed(1, 300).boxed().toList());
            List<String> outputs = app.outputFiles("engineers").stream()
                    .map(path -> path.getFileName().toString()).sorted().toList();
            assertThat(outputs).containsExactly("part-00000_JSON_gz.jsonl", "part-00000_json_gz.jsonl",
                    "part-00000_jsonl_gz.jsonl");
            assertThat(app.manifest("engineers").get("files")).hasSize(3);
            TABLE.add(VendorFault.NAMES_DIFFER_IN_EXTENSION_ONLY, "coresignal, status",
                    "3 files: " + String.join(", ", names) + ", 100 records each",
                    "recovered: " + doneWith(app, "engineers", app.landedIds("engineers").size()) + "; "
                            + outputs.size() + " output files side by side (" + String.join(", ", outputs)
                            + "), not one `part-00000.jsonl` overwritten twice");
        }
    }

    // ------------------------------------------------------------------------------------------------ submissions

    @Test
    void should_never_send_again_a_submission_whose_answer_was_lost() throws Exception {
        try (ExportHarness app = coresignal(); LogCapture logs = new LogCapture(Level.INFO)) {
            app.sandbox.faults().onSubmit(Fault.acceptThenDrop());
            assertThat(app.run()).isEqualTo(1);
            End lost = end(app, "engineers");
            assertThat(lost.status()).isEqualTo(RunStatus.NEEDS_ATTENTION);
            assertThat(lost.message()).contains("bulkexport.attach.engineers");
            assertThat(logs.text()).contains("NEEDS_ATTENTION engineers").contains("bulkexport.attach.engineers");
            assertThat(app.run()).isEqualTo(1); // started again: still not sent
            assertThat(app.sandbox.submissions()).hasSize(1);
            assertThat(requests(app.sandbox.requestLog(), EndpointKind.SUBMIT)).hasSize(1);

            // the user found the request id in their account and attaches to it: nothing is submitted
            app.set("bulkexport.attach.engineers", app.sandbox.submissions().get(0).requestId());
            assertThat(app.run()).isEqualTo(0);
            TABLE.add(VendorFault.SUBMIT_ANSWER_DROPPED, "coresignal, submit",
                    "took the request, closed the connection without answering",
                    "run " + lost.status() + ", not sent again when started again ("
                            + submissions(requests(app.sandbox.requestLog(), EndpointKind.SUBMIT).size())
                            + "); message: `" + lost.message() + "`. Attached: " + doneWithEveryRecordOnce(app, "engineers"));
        }
    }

    @Test
    void should_never_send_again_a_submission_answered_after_the_timeout() throws Exception {
        try (ExportHarness app = withReadTimeout(coresignal())) {
            app.sandbox.faults().onSubmit(Fault.answerLate(STALL));
            assertThat(app.run()).isEqualTo(1);
            End late = end(app, "engineers");
            assertThat(late.status()).isEqualTo(RunStatus.NEEDS_ATTENTION);
            assertThat(late.message()).startsWith("the submission's outcome is unknown (SocketTimeoutException: Read"
                    + " timed out): the vendor may have accepted and charged it, so it is not sent again.");
            assertThat(app.sandbox.submissions()).as("the vendor took it").hasSize(1);
            assertThat(app.run()).isEqualTo(1); // started again: still not sent
            assertThat(app.sandbox.submissions()).hasSize(1);

            app.set("bulkexport.attach.engineers", app.sandbox.submissions().get(0).requestId());
            assertThat(app.run()).isEqualTo(0);
            assertThat(app.sandbox.submissions()).hasSize(1);
            TABLE.add(VendorFault.SUBMIT_ANSWER_TOO_LATE, "coresignal, submit",
                    "took the request, answered " + stallInReadTimeouts() + " later",
                    "run " + late.status() + ", not sent again when started again ("
                            + submissions(app.sandbox.submissions().size()) + " at the vendor); message: `"
                            + late.message() + "`. Attached: " + doneWithEveryRecordOnce(app, "engineers"));
        }
    }

    // ------------------------------------------------------------------------------------------------ presigned URLs

    @Test
    void should_list_again_for_a_fresh_url_when_the_storage_says_a_url_has_expired() throws Exception {
        DatafinitiSandbox sandbox = datafiniti(SandboxSettings.defaults());
        sandbox.refuseLinksOfFirstListings(1);
        // one file at a time: the first 403 brings fresh URLs for all, so exactly one URL is refused
        try (ExportHarness app = datafinitiJob(sandbox).set("bulkexport.download.parallelism", "1");
             LogCapture logs = new LogCapture(Level.INFO)) {
            assertThat(app.run()).isEqualTo(0);
            List<LoggedRequest> downloads = requests(sandbox.requestLog(), EndpointKind.DOWNLOAD);
            assertThat(statuses(downloads)).containsExactly(403, 200, 200, 200);
            assertThat(sandbox.storage().refusedAsExpired()).isEqualTo(1);
            assertThat(sandbox.listings("847070")).isEqualTo(2);
            List<String> warnings = warnings(logs, "hotels: ");
            assertThat(warnings).containsExactly("presigned download of 847070_1.txt answered 403: AccessDenied"
                    + " (Request has expired); listing the files again for a fresh URL");
            TABLE.add(VendorFault.PRESIGNED_URL_EXPIRED, "datafiniti, presigned file",
                    "storage: " + answers(downloads) + ", the first URL refused as expired",
                    "recovered: " + doneWithEveryRecordOnce(app, "hotels", sandbox) + "; files listed again "
                            + times(sandbox.listings("847070") - 1) + " for fresh URLs, warning: `" + warnings.get(0)
                            + "`. More in `DatafinitiExportTest` (URLs already expired when listed, refused again) and"
                            + " `DatafinitiV3ExportTest` (files past their 7 days)");
        }
    }

    // ------------------------------------------------------------------------------------------------ set-ups

    /** Three files of 400 records, ready at once, from the Coresignal sandbox; job "engineers". */
    private ExportHarness coresignal() throws Exception {
        return new ExportHarness(dir, SandboxSettings.defaults().withFilesPerRequest(3).withRecordsPerFile(400)
                .withRecordBytes(600).withReadyAfter(Duration.ZERO)).esDslJob("engineers");
    }

    /** The Coresignal sandbox serving these files (so their names are known before the request is made). */
    private ExportHarness coresignalServing(Path files) throws Exception {
        return new ExportHarness(dir, SandboxSettings.defaults().withFilesDir(files).withReadyAfter(Duration.ZERO))
                .esDslJob("engineers");
    }

    /** {@code json/part-0000N.json.gz} gzip JSON Lines files with consecutive ids from 1. */
    private Path storedFiles(int files, int recordsPerFile) throws Exception {
        Path served = Files.createDirectories(dir.resolve("served"));
        for (int file = 0; file < files; file++) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(
                    served.resolve(String.format("part-%05d.json.gz", file))))) {
                for (int record = 1; record <= recordsPerFile; record++) {
                    out.write(("{\"id\":" + (file * recordsPerFile + record) + ",\"name\":\"n\"}\n")
                            .getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        return served;
    }

    /** The Datafiniti sandbox (v4 ids start at 847070): three files of 400 records, ready at once. */
    private static DatafinitiSandbox datafiniti(SandboxSettings base) {
        System.setProperty("DATAFINITI_API_TOKEN", DATAFINITI_TOKEN);
        return new DatafinitiSandbox(base.withFilesPerRequest(3).withRecordsPerFile(400).withRecordBytes(400)
                .withReadyAfter(Duration.ZERO).withApiKey(DATAFINITI_TOKEN)).start();
    }

    /** A Datafiniti v4 JSON job "hotels" of 1,200 records. */
    private ExportHarness datafinitiJob(DatafinitiSandbox sandbox) throws Exception {
        return ExportHarness.against(dir, sandbox).set("bulkexport.datafiniti.base-url", sandbox.baseUrl())
                .set("bulkexport.datafiniti.download-hosts", sandbox.storageHost())
                .job("hotels", "provider: datafiniti\ndataset: businesses\nquery: categories:hotels\nformat: json\n"
                        + "limit: 1200\n");
    }

    /** A v4 download's answer with this status and no error, as a new status would come. */
    private static String datafinitiStatus(String status) {
        return "{\"id\": \"847070\", \"status\": \"" + status + "\", \"num_records\": 1200, \"results\": []}";
    }

    /** The data-requests sandbox: one file of 800 records, ready at once. */
    private static DataRequestsSandbox dataRequests() {
        System.setProperty("DATA_REQUESTS_CLIENT_ID", CLIENT_ID);
        System.setProperty("DATA_REQUESTS_CLIENT_SECRET", CLIENT_SECRET);
        return new DataRequestsSandbox(SandboxSettings.defaults().withRecordsPerFile(800).withRecordBytes(500)
                .withReadyAfter(Duration.ZERO), CLIENT_ID, CLIENT_SECRET, Duration.ofHours(1)).start();
    }

    /** A data-requests job "profiles". */
    private ExportHarness dataRequestsJob(DataRequestsSandbox sandbox) throws Exception {
        return ExportHarness.against(dir, sandbox).set("bulkexport.data-requests.base-url", sandbox.baseUrl())
                .set("bulkexport.data-requests.token-url", sandbox.tokenUrl())
                .job("profiles", "provider: data-requests\ndataset: profile\n");
    }

    /**
     * The longest silence the app waits for, set short: on vendor API calls that is
     * {@code camel.component.http.response-timeout} (the HTTP client applies it to the socket for the whole
     * exchange, body included); on presigned files, {@code camel.component.http.so-timeout}.
     */
    private static ExportHarness withReadTimeout(ExportHarness app) {
        String millis = String.valueOf(READ_TIMEOUT.toMillis());
        return app.set("camel.component.http.response-timeout", millis).set("camel.component.http.so-timeout", millis);
    }

    // ------------------------------------------------------------------------------------------------ observations

    /** The run's end as the state store holds it. */
    private record End(RunStatus status, String message, List<RunFile> files) {
        List<RunFile> files(FileStatus status) {
            return files.stream().filter(f -> f.status() == status).toList();
        }
    }

    private static End end(ExportHarness app, String job) {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL(app.overrides.get("bulkexport.state.url"));
        StateStore state = new StateStore(dataSource, Clock.systemUTC());
        Run run = state.latestRun(job).orElseThrow(() -> new AssertionError("no run of " + job));
        return new End(run.status(), run.message(), state.files().of(run.runId()));
    }

    /** Asserts the Coresignal run DONE with exactly the served records, each once; says so for the table. */
    private static String doneWithEveryRecordOnce(ExportHarness app, String job) throws Exception {
        assertThat(app.landedIds(job)).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(app.sandbox.expectedRecordIds(app.onlyRequestId()));
        return doneWith(app, job, app.landedIds(job).size());
    }

    /** Asserts the Datafiniti run DONE with exactly the served records, each once; says so for the table. */
    private static String doneWithEveryRecordOnce(ExportHarness app, String job, DatafinitiSandbox sandbox)
            throws Exception {
        assertThat(sandbox.submissions()).hasSize(1);
        assertThat(app.landedRecords(job)).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(sandbox.expectedRecords(sandbox.submissions().get(0).get("id")
                        .asText()));
        return doneWith(app, job, app.landedRecords(job).size());
    }

    private static String doneWith(ExportHarness app, String job, int records) throws Exception {
        End end = end(app, job);
        assertThat(end.status()).isEqualTo(RunStatus.DONE);
        assertThat(app.manifest(job).get("records").asLong()).isEqualTo(records);
        return "run " + end.status() + ", " + count(records) + " records, each once";
    }

    /** Retries of a failed download the app is set to make (the harness sets a few). */
    private static int maxRetries(ExportHarness app) {
        return Integer.parseInt(app.overrides.get("bulkexport.retry.max-retries"));
    }

    private static List<LoggedRequest> requests(List<LoggedRequest> log, EndpointKind kind) {
        return log.stream().filter(r -> r.kind() == kind).toList();
    }

    /** Fetches of the Coresignal file with this index (0-based), in order. */
    private static List<LoggedRequest> downloadsOfPart(ExportHarness app, int index) {
        return downloadsNamed(app.sandbox.requestLog(), String.format("part-%05d", index));
    }

    private static List<LoggedRequest> downloadsNamed(List<LoggedRequest> log, String part) {
        Predicate<LoggedRequest> named = r -> r.path().contains(part);
        return requests(log, EndpointKind.DOWNLOAD).stream().filter(named).toList();
    }

    private static List<Integer> statuses(List<LoggedRequest> requests) {
        return requests.stream().map(LoggedRequest::status).toList();
    }

    /** The statuses answered, e.g. {@code 429, 429, 200}. */
    private static String answers(List<LoggedRequest> requests) {
        return requests.stream().map(r -> String.valueOf(r.status())).collect(Collectors.joining(", "));
    }

    private static Duration between(LoggedRequest earlier, LoggedRequest later) {
        return Duration.ofNanos(later.arrivalNanos() - earlier.arrivalNanos());
    }

    /** What the app logged after {@code marker} in its warnings, in order. */
    private static List<String> warnings(LogCapture logs, String marker) {
        List<String> found = new ArrayList<>();
        for (String line : logs.lines()) {
            int at = line.indexOf(marker);
            if (line.startsWith("WARN") && at >= 0) {
                found.add(line.substring(at + marker.length()));
            }
        }
        return found;
    }

    private static String stallInReadTimeouts() {
        return STALL.dividedBy(READ_TIMEOUT) + " × the read timeout";
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String times(int n) {
        return n == 1 ? "once" : n + " times";
    }

    private static String submissions(int n) {
        return n == 1 ? "1 submission" : n + " submissions";
    }
}
