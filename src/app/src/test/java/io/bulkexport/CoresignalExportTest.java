package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.Fault;
import io.bulkexport.sandbox.LoggedRequest;
import io.bulkexport.sandbox.SandboxSettings;
import io.bulkexport.sink.SafePaths;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain against the Coresignal sandbox: submit, poll, list, download, gunzip, split, land. Vendor faults
 * (429, 5xx, broken bodies, lost answers…) are in {@link VendorFaultsTest}.
 */
class CoresignalExportTest {
    @TempDir
    Path dir;

    private static SandboxSettings small() {
        return SandboxSettings.defaults().withFilesPerRequest(3).withRecordsPerFile(400).withRecordBytes(600)
                .withReadyAfter(Duration.ZERO);
    }

    @Test
    void should_remove_unfinished_files_a_killed_process_left_in_its_jobs_folders_only() throws Exception {
        Path stale = Files.createDirectories(dir.resolve("out/engineers/r-old/json")).resolve(".part-00007.jsonl.part");
        Path othersJob = Files.createDirectories(dir.resolve("out/someone-else")).resolve(".part-00000.jsonl.part");
        Files.writeString(stale, "{\"id\": 1}\n{\"id\"");
        Files.writeString(othersJob, "{\"id\": 2}\n");
        try (ExportHarness app = new ExportHarness(dir, small()).esDslJob("engineers");
             LogCapture logs = new LogCapture(Level.INFO)) {
            assertThat(app.run()).isEqualTo(0);
            assertThat(stale).doesNotExist();
            assertThat(othersJob).as("another instance's job is not ours to clean").exists();
            assertThat(logs.text()).contains("engineers: removed 1 unfinished output file(s) left under");
        }
    }

    @Test
    void should_land_every_served_record_exactly_once_with_a_manifest() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, small()).esDslJob("engineers")) {
            assertThat(app.run()).isEqualTo(0);

            String requestId = app.onlyRequestId();
            List<Long> landed = app.landedIds("engineers");
            assertThat(landed).hasSize(1200).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(app.sandbox.expectedRecordIds(requestId));
            assertThat(app.requestDir("engineers").getFileName().toString()).isEqualTo(requestId);
            JsonNode manifest = app.manifest("engineers");
            assertThat(manifest.get("records").asLong()).isEqualTo(1200);
            assertThat(manifest.get("files")).hasSize(3);
            for (JsonNode file : manifest.get("files")) {
                Path landedFile = app.requestDir("engineers").resolve(file.get("path").asText());
                assertThat(Files.size(landedFile)).isEqualTo(file.get("bytes").asLong());
                assertThat(sha256(landedFile)).isEqualTo(file.get("sha256").asText());
            }
            assertThat(app.allFiles()).noneMatch(p -> p.getFileName().toString().endsWith(".part"));
            assertThat(app.sandbox.submissions().get(0).body()).contains("\"es_dsl_query\"").contains("\"data_format\":\"json\"");
        }
    }

    @Test
    void should_export_through_a_provider_route_edited_before_calls_were_declared_in_properties() throws Exception {
        // the routes folder holds only the older copy of coresignal.yaml, which sets its calls as headers
        Path routes = Files.createDirectories(dir.resolve("routes/providers"));
        try (var legacy = getClass().getResourceAsStream("/legacy-routes/providers/coresignal.yaml")) {
            Files.write(routes.resolve("coresignal.yaml"), legacy.readAllBytes());
        }
        try (ExportHarness app = new ExportHarness(dir, small()).esDslJob("engineers")
                .set("bulkexport.routes.dir", dir.resolve("routes").toString());
             LogCapture logs = new LogCapture(Level.INFO)) {
            assertThat(app.run()).isEqualTo(0);
            assertThat(app.landedIds("engineers")).hasSize(1200).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(app.sandbox.expectedRecordIds(app.onlyRequestId()));
            assertThat(app.sandbox.submissions().get(0).body()).contains("\"es_dsl_query\"");
            assertThat(logs.text().split("sets its call as headers", -1)).as("one warning").hasSize(2);
        }
    }

    @Test
    void should_store_gzip_files_when_asked_keeping_the_vendors_gzip_when_its_lines_are_records_as_read()
            throws Exception {
        // files of 400, 400 and 200 lines (limit 1,000), line 300 of each malformed: only the third file is clean
        try (ExportHarness app = new ExportHarness(dir, small().withMalformedEvery(300)).job("engineers",
                "provider: coresignal\ndataset: employee_clean\nmethod: es_dsl\nlimit: 1000\nrequest: "
                        + Path.of("config/queries/coresignal-python-engineers.json").toAbsolutePath() + "\n")
                .set("bulkexport.output.compression", "gzip");
             LogCapture logs = new LogCapture(Level.INFO)) {
            assertThat(app.run()).isEqualTo(0);
            String requestId = app.onlyRequestId();
            Path request = app.requestDir("engineers");
            List<String> names = app.sandbox.fileNames(requestId);
            List<Long> landed = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                Path file = request.resolve(SafePaths.outputName(names.get(i)) + ".gz");
                byte[] stored = Files.readAllBytes(file);
                String text = new String(new GZIPInputStream(new ByteArrayInputStream(stored)).readAllBytes(),
                        StandardCharsets.UTF_8);
                text.lines().forEach(line -> landed.add(readId(line)));
                assertThat(text).endsWith("\n");
            }
            assertThat(landed).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(app.sandbox.expectedRecordIds(requestId));
            JsonNode manifest = app.manifest("engineers");
            for (JsonNode file : manifest.get("files")) {
                byte[] stored = Files.readAllBytes(request.resolve(file.get("path").asText()));
                assertThat(file.get("path").asText()).endsWith(".jsonl.gz");
                assertThat(file.get("sha256").asText()).isEqualTo(HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(stored)));
            }
            // a file with a malformed line is compressed here, the others are the vendor's gzip as it came
            long clean = 0;
            for (JsonNode file : manifest.get("files")) {
                clean += file.get("quarantined").asLong() == 0 ? 1 : 0;
            }
            assertThat(clean).as("files without a malformed line").isEqualTo(1);
            List<String> landedLines = logs.lines().stream().filter(line -> line.contains(" landed")).toList();
            assertThat(landedLines).hasSize(3);
            assertThat(landedLines).filteredOn(line -> line.contains("stored as it came")).hasSize((int) clean);
            assertThat(app.quarantined("engineers")).hasSize((int) app.sandbox.malformedLineCount(requestId));
        }
    }

    @Test
    void should_not_mix_plain_and_gzip_files_in_one_request_when_the_setting_changes_midway() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, small()).esDslJob("engineers");
             LogCapture logs = new LogCapture(Level.INFO)) {
            app.sandbox.faults().onDownloadOfFile(1, Fault.respond(404, "{\"detail\": \"Not Found\"}"));
            assertThat(app.run()).as("one file refused: the run is incomplete").isEqualTo(1);

            app.set("bulkexport.output.compression", "gzip");
            assertThat(app.run()).isEqualTo(1);
            assertThat(logs.text()).contains("started writing to file:" + dir.resolve("out").toAbsolutePath()
                    + " and its job now writes to file:" + dir.resolve("out").toAbsolutePath() + " (gzip)");
            assertThat(app.allFiles()).noneMatch(file -> file.toString().endsWith(".gz"));

            app.set("bulkexport.output.compression", "none");
            assertThat(app.run()).isEqualTo(0);
            assertThat(app.landedIds("engineers")).hasSize(1200).doesNotHaveDuplicates();
        }
    }

    private static long readId(String line) {
        try {
            return ExportHarness.JSON.readTree(line).get("id").asLong();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void should_upload_the_ids_file_as_multipart_and_land_one_record_per_id() throws Exception {
        Path ids = Files.writeString(dir.resolve("ids.csv"), "id\n11\n12\n13\n14\n15\n");
        try (ExportHarness app = new ExportHarness(dir, small()).job("by-id",
                "provider: coresignal\ndataset: employee_clean\nmethod: id_file\nrequest: " + ids + "\n")) {
            assertThat(app.run()).isEqualTo(0);
            assertThat(app.landedIds("by-id")).containsExactlyInAnyOrder(11L, 12L, 13L, 14L, 15L);
            assertThat(app.sandbox.submissions().get(0).idCount()).isEqualTo(5);
        }
    }

    @Test
    void should_keep_polling_while_pending_then_download() throws Exception {
        SandboxSettings settings = small().withReadyAfter(Duration.ofMillis(800));
        try (ExportHarness app = new ExportHarness(dir, settings).esDslJob("engineers")) {
            assertThat(app.run()).isEqualTo(0);
            List<Integer> statusAnswers = app.sandbox.requestLog().stream()
                    .filter(r -> r.kind() == EndpointKind.STATUS).map(LoggedRequest::status).toList();
            assertThat(statusAnswers).hasSizeGreaterThan(2).startsWith(202).endsWith(200);
            assertThat(app.landedIds("engineers")).hasSize(1200).doesNotHaveDuplicates();
        }
    }

    @Test
    void should_fail_with_the_vendors_words_on_402() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, small()).esDslJob("engineers");
             LogCapture logs = new LogCapture(Level.INFO)) {
            app.sandbox.faults().onSubmit(Fault.respond(402, "{\"detail\":\"Insufficient credits\"}"));
            assertThat(app.run()).isEqualTo(1);
            assertThat(logs.text()).contains("FAILED engineers").contains("402").contains("Insufficient credits")
                    .contains("top up the account");
            assertThat(app.sandbox.requestLog()).filteredOn(r -> r.kind() == EndpointKind.SUBMIT).hasSize(1);
        }
    }

    @Test
    void should_fail_without_retrying_on_409() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, small()).esDslJob("engineers");
             LogCapture logs = new LogCapture(Level.INFO)) {
            app.sandbox.faults().onSubmit(Fault.respond(409,
                    "{\"detail\":\"Identical data request is already in progress.\"}"));
            assertThat(app.run()).isEqualTo(1);
            assertThat(logs.text()).contains("Identical data request is already in progress")
                    .contains("an identical request is already in progress");
            assertThat(app.sandbox.requestLog()).filteredOn(r -> r.kind() == EndpointKind.SUBMIT).hasSize(1);
        }
    }

    @Test
    void should_quarantine_malformed_lines_with_file_and_line_number() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, small().withMalformedEvery(100)).esDslJob("engineers")) {
            assertThat(app.run()).isEqualTo(0);
            String requestId = app.onlyRequestId();
            long bad = app.sandbox.malformedLineCount(requestId);
            assertThat(bad).isPositive();
            assertThat(app.landedIds("engineers")).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(app.sandbox.expectedRecordIds(requestId));
            assertThat(app.manifest("engineers").get("quarantined").asLong()).isEqualTo(bad);
            List<JsonNode> quarantined;
            try (Stream<Path> walk = Files.walk(app.requestDir("engineers"))) {
                quarantined = walk.filter(p -> p.toString().endsWith(".quarantine.jsonl")).flatMap(p -> {
                    try {
                        return Files.readAllLines(p).stream();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).map(line -> {
                    try {
                        return ExportHarness.JSON.readTree(line);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).toList();
            }
            assertThat(quarantined).hasSize((int) bad);
            assertThat(quarantined).allSatisfy(q -> {
                assertThat(q.get("source_file").asText()).startsWith("json/part-");
                assertThat(q.get("line").asLong()).isPositive();
                assertThat(q.get("line").asLong() % 100).isZero();
            });
        }
    }

    @Test
    void should_not_submit_a_finished_one_shot_job_again_unless_asked() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, small()).esDslJob("engineers")) {
            assertThat(app.run()).isEqualTo(0);
            assertThat(app.run()).isEqualTo(0);
            assertThat(app.sandbox.submissions()).hasSize(1);

            app.set("bulkexport.new-run", "engineers");
            assertThat(app.run()).isEqualTo(0);
            assertThat(app.sandbox.submissions()).hasSize(2);
        }
    }

    @Test
    void should_hold_the_rate_limit_across_all_calls() throws Exception {
        SandboxSettings many = small().withFilesPerRequest(16).withRecordsPerFile(20);
        try (ExportHarness app = new ExportHarness(dir, many).esDslJob("engineers")
                .set("bulkexport.coresignal.rate", "4").set("bulkexport.download.parallelism", "4")) {
            assertThat(app.run()).isEqualTo(0);
            List<Long> arrivals = app.sandbox.requestLog().stream().map(LoggedRequest::arrivalNanos).sorted().toList();
            assertThat(arrivals).hasSizeGreaterThanOrEqualTo(18);
            // The throttle lets at most 4 calls start in any second, so calls i and i+8 start at least 2 s apart.
            // The server sees them shifted by a latency that, on a busy machine, varies by a few hundred ms: any 9
            // consecutive arrivals must span more than 1.5 s. Unthrottled, they arrive within a few ms.
            for (int i = 0; i + 8 < arrivals.size(); i++) {
                assertThat(arrivals.get(i + 8) - arrivals.get(i)).isGreaterThan(Duration.ofMillis(1500).toNanos());
            }
        }
    }

    @Test
    void should_never_write_the_api_key_to_logs_state_or_output() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, small()).esDslJob("engineers");
             LogCapture logs = new LogCapture(Level.TRACE)) {
            // even with the HTTP client's header log switched on, which prints every request header
            hcLogging(Level.TRACE);
            app.sandbox.faults().onSubmit(Fault.respond(429, "{}", "Retry-After", "0"))
                    .onDownloadOfFile(0, Fault.cutAfterBytes(1000));
            assertThat(app.run()).isEqualTo(0);
            assertThat(logs.lines()).hasSizeGreaterThan(100);
            assertThat(logs.text()).contains(">> POST /cdapi/v2/data_requests").doesNotContain(ExportHarness.API_KEY);
            hcLogging(Level.INFO);
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path file : walk.filter(Files::isRegularFile).toList()) {
                    assertThat(new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1))
                            .as(file.toString()).doesNotContain(ExportHarness.API_KEY);
                }
            }
        }
    }

    private static void hcLogging(Level level) {
        for (String logger : List.of("org.apache.hc", "org.apache.hc.client5.http.headers", "org.apache.hc.client5.http.wire")) {
            org.apache.logging.log4j.core.config.Configurator.setLevel(logger, level);
        }
    }

    static String sha256(Path file) throws Exception {
        java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
        return java.util.HexFormat.of().formatHex(digest.digest(Files.readAllBytes(file)));
    }
}
