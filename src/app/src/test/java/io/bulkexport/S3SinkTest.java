package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.Fault;
import io.bulkexport.sandbox.SandboxSettings;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain into a real S3 implementation (S3Proxy over HTTPS, started by the test) through the AWS SDK:
 * objects listed and read back, record sets compared with what the sandbox served, failures explained.
 */
class S3SinkTest {
    static final String BUCKET = "data-lake";
    static final String PREFIX = "exports";

    @TempDir
    Path dir;
    S3ProxyServer s3;

    @AfterEach
    void stopS3() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    private static SandboxSettings small() {
        return SandboxSettings.defaults().withFilesPerRequest(3).withRecordsPerFile(400).withRecordBytes(600)
                .withReadyAfter(Duration.ZERO);
    }

    private ExportHarness s3Export(SandboxSettings settings) throws Exception {
        ExportHarness app = new ExportHarness(dir, settings).esDslJob("engineers")
                .set("bulkexport.sink", "s3")
                .set("bulkexport.s3.prefix", PREFIX)
                .set("bulkexport.s3.spool-dir", dir.resolve("spool").toString());
        s3.settings(BUCKET).forEach(app::set);
        return app;
    }

    /** The bucket holds exactly one gzip object per served file and the manifest; returns the files' keys. */
    private List<String> assertOneObjectPerFileAndTheManifest(ExportHarness app, String requestId) {
        String request = PREFIX + "/engineers/" + requestId + "/";
        List<String> fileKeys = app.sandbox.fileNames(requestId).stream()
                .map(name -> request + name.replaceFirst("\\.json\\.gz$", ".jsonl.gz")).toList();
        assertThat(s3.keys(BUCKET, "")).containsExactlyInAnyOrderElementsOf(
                concat(fileKeys, List.of(request + "_manifest.json")));
        return fileKeys;
    }

    @Test
    void should_land_one_gzip_object_per_file_with_the_served_records_and_the_manifest_last() throws Exception {
        s3 = new S3ProxyServer(dir, Duration.ZERO).createBucket(BUCKET);
        try (ExportHarness app = s3Export(small()); LogCapture logs = new LogCapture(Level.INFO)) {
            assertThat(app.run()).isEqualTo(0);

            String requestId = app.onlyRequestId();
            String request = PREFIX + "/engineers/" + requestId + "/";
            List<String> fileKeys = assertOneObjectPerFileAndTheManifest(app, requestId);
            assertThat(recordIds(fileKeys)).hasSize(1200).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(app.sandbox.expectedRecordIds(requestId));
            assertThat(s3.written()).hasSize(4).last().isEqualTo(request + "_manifest.json");

            JsonNode manifest = ExportHarness.JSON.readTree(s3.read(BUCKET, request + "_manifest.json"));
            assertThat(manifest.get("request_id").asText()).isEqualTo(requestId);
            assertThat(s3.contentType(BUCKET, request + "_manifest.json")).isEqualTo("application/json");
            assertThat(fileKeys).allSatisfy(key -> assertThat(s3.contentType(BUCKET, key))
                    .isEqualTo("application/gzip"));
            assertThat(manifest.get("records").asLong()).isEqualTo(1200);
            assertThat(manifest.get("files")).hasSize(3);
            for (JsonNode file : manifest.get("files")) {
                byte[] object = s3.read(BUCKET, file.get("key").asText());
                assertThat(object.length).isEqualTo(file.get("bytes").asLong());
                assertThat(sha256(object)).isEqualTo(file.get("sha256").asText());
                assertThat(file.get("records").asLong()).isEqualTo(400);
            }
            // every line of these files is a record as it is: each object is the vendor's gzip file itself
            for (int i = 0; i < fileKeys.size(); i++) {
                assertThat(s3.read(BUCKET, fileKeys.get(i))).isEqualTo(app.sandbox.servedFile(requestId, i));
            }
            assertThat(logs.lines()).filteredOn(line -> line.contains(" landed in s3://")).hasSize(3)
                    .allMatch(line -> line.contains("(the vendor's gzip, stored as it came)"));
            assertThat(s3.unfinishedUploads(BUCKET)).isEmpty();
            assertThat(filesUnder(dir.resolve("spool"))).isEmpty();
            assertThat(dir.resolve("out")).doesNotExist();
        }
    }

    @Test
    void should_not_let_headers_in_vendor_answers_choose_the_bucket_key_or_file_name() throws Exception {
        s3 = new S3ProxyServer(dir, Duration.ZERO).createBucket(BUCKET).createBucket("attacker");
        try (ExportHarness app = s3Export(small())) {
            // camel-http drops Camel* headers from answers itself; with that filter off, the routes' own guards
            // are what this test proves
            app.set("camel.component.http.header-filter-strategy",
                    "#class:org.apache.camel.support.DefaultHeaderFilterStrategy");
            app.sandbox.sendOnEveryAnswer(Map.of(
                    "CamelAwsS3BucketName", "attacker",
                    "CamelAwsS3Key", "hijacked/records.jsonl",
                    "CamelAwsS3CannedAcl", "public-read",
                    "CamelAwsS3ContentType", "text/html",
                    "CamelFileName", "../../escaped.jsonl",
                    "CamelHttpUri", "http://127.0.0.1:1/elsewhere"));
            assertThat(app.run()).isEqualTo(0);

            String requestId = app.onlyRequestId();
            List<String> fileKeys = assertOneObjectPerFileAndTheManifest(app, requestId);
            assertThat(s3.keys("attacker", "")).isEmpty();
            assertThat(recordIds(fileKeys)).containsExactlyInAnyOrderElementsOf(
                    app.sandbox.expectedRecordIds(requestId));
            try (Stream<Path> all = Files.walk(dir)) {
                assertThat(all.map(p -> p.getFileName().toString())).doesNotContain("escaped.jsonl", "records.jsonl");
            }
        }
    }

    @Test
    void should_finish_a_run_where_it_started_when_its_job_changes_sink_midway() throws Exception {
        s3 = new S3ProxyServer(dir, Duration.ZERO).createBucket(BUCKET);
        try (ExportHarness app = s3Export(small()).set("bulkexport.sink", "file");
             LogCapture logs = new LogCapture(Level.INFO)) {
            app.sandbox.faults().onDownloadOfFile(1, Fault.respond(404, "{\"detail\": \"Not Found\"}"));
            assertThat(app.run()).as("one file refused: the run is incomplete").isEqualTo(1);
            assertThat(app.landedNames()).hasSize(2);

            app.set("bulkexport.sink", "s3");
            assertThat(app.run()).isEqualTo(1);
            assertThat(logs.text()).contains("started writing to file:" + dir.resolve("out").toAbsolutePath()
                    + " and its job now writes to s3://" + BUCKET + "/" + PREFIX + " (gzip");
            assertThat(s3.keys(BUCKET, "")).isEmpty();

            app.set("bulkexport.sink", "file");
            assertThat(app.run()).isEqualTo(0);
            String requestId = app.onlyRequestId();
            assertThat(app.landedIds("engineers")).hasSize(1200).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(app.sandbox.expectedRecordIds(requestId));
            assertThat(s3.keys(BUCKET, "")).isEmpty();
        }
    }

    @Test
    void should_compress_the_records_itself_when_told_not_to_keep_the_vendors_gzip() throws Exception {
        s3 = new S3ProxyServer(dir, Duration.ZERO).createBucket(BUCKET);
        try (ExportHarness app = s3Export(small()).set("bulkexport.s3.keep-vendor-gzip", "false");
             LogCapture logs = new LogCapture(Level.INFO)) {
            assertThat(app.run()).isEqualTo(0);
            String requestId = app.onlyRequestId();
            List<String> fileKeys = assertOneObjectPerFileAndTheManifest(app, requestId);
            for (int i = 0; i < fileKeys.size(); i++) {
                byte[] served = app.sandbox.servedFile(requestId, i);
                assertThat(s3.lines(BUCKET, fileKeys.get(i))).isEqualTo(new String(new GZIPInputStream(
                        new ByteArrayInputStream(served)).readAllBytes(), StandardCharsets.UTF_8).lines().toList());
            }
            // the sandbox compresses as this sink does (Java's gzip at level 1), so the bytes may well be the same:
            // what tells is whether the file was compressed here
            assertThat(logs.lines()).filteredOn(line -> line.contains(" landed in s3://")).hasSize(3)
                    .noneMatch(line -> line.contains("stored as it came"));
        }
    }

    @Test
    void should_compress_the_records_again_when_a_file_has_lines_that_are_not_records() throws Exception {
        s3 = new S3ProxyServer(dir, Duration.ZERO).createBucket(BUCKET);
        try (ExportHarness app = s3Export(small().withMalformedEvery(100))) {
            assertThat(app.run()).isEqualTo(0);
            String requestId = app.onlyRequestId();
            List<String> names = app.sandbox.fileNames(requestId);
            for (int i = 0; i < names.size(); i++) {
                String key = PREFIX + "/engineers/" + requestId + "/"
                        + names.get(i).replaceFirst("\\.json\\.gz$", ".jsonl.gz");
                byte[] served = app.sandbox.servedFile(requestId, i);
                assertThat(s3.read(BUCKET, key)).isNotEqualTo(served);
                List<String> servedRecords = new String(new GZIPInputStream(new ByteArrayInputStream(served))
                        .readAllBytes(), StandardCharsets.UTF_8).lines().filter(line -> !line.endsWith("\"broken")) // the sandbox's malformed lines
                        .toList();
                assertThat(s3.lines(BUCKET, key)).isEqualTo(servedRecords);
            }
            assertThat(app.sandbox.malformedLineCount(requestId)).isPositive();
        }
    }

    @Test
    void should_upload_quarantined_lines_beside_the_records_and_replace_objects_when_a_run_is_redone()
            throws Exception {
        s3 = new S3ProxyServer(dir, Duration.ZERO).createBucket(BUCKET);
        try (ExportHarness app = s3Export(small().withMalformedEvery(100)).set("bulkexport.s3.compression", "none")) {
            assertThat(app.run()).isEqualTo(0);
            String requestId = app.onlyRequestId();
            String request = PREFIX + "/engineers/" + requestId + "/";
            List<String> keys = s3.keys(BUCKET, "");
            assertThat(keys).filteredOn(k -> k.endsWith(".quarantine.jsonl")).hasSize(3);
            List<String> recordKeys = keys.stream().filter(k -> !k.endsWith(".quarantine.jsonl"))
                    .filter(k -> k.endsWith(".jsonl")).toList();
            assertThat(recordKeys).hasSize(3)
                    .allSatisfy(key -> assertThat(s3.contentType(BUCKET, key)).isEqualTo("application/x-ndjson"));
            long quarantined = keys.stream().filter(k -> k.endsWith(".quarantine.jsonl"))
                    .mapToLong(k -> s3.lines(BUCKET, k).size()).sum();
            assertThat(quarantined).isEqualTo(app.sandbox.malformedLineCount(requestId));
            JsonNode manifest = ExportHarness.JSON.readTree(s3.read(BUCKET, request + "_manifest.json"));
            assertThat(manifest.get("quarantined").asLong()).isEqualTo(quarantined);

            // the same request exported again by an instance with its own state (attached, nothing submitted):
            // the same keys, each object replaced in place
            app.set("bulkexport.state.url", "jdbc:h2:file:" + dir.resolve("state2/db").toAbsolutePath())
                    .set("bulkexport.attach.engineers", requestId);
            assertThat(app.run()).isEqualTo(0);
            assertThat(app.sandbox.submissions()).hasSize(1);
            assertThat(s3.keys(BUCKET, "")).isEqualTo(keys);
            assertThat(s3.written()).hasSize(2 * keys.size());
            assertThat(recordIds(recordKeys)).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(app.sandbox.expectedRecordIds(requestId));
        }
    }

    @Test
    void should_submit_nothing_while_the_bucket_is_missing_and_export_once_it_exists() throws Exception {
        s3 = new S3ProxyServer(dir, Duration.ZERO);
        try (ExportHarness app = s3Export(small()); LogCapture logs = new LogCapture(Level.INFO)) {
            assertThat(app.run()).isEqualTo(1);
            assertThat(logs.text()).contains("engineers: cannot start: not submitted, since S3 would refuse its files:"
                            + " S3 bucket '" + BUCKET + "' does not exist (bulkexport.s3.bucket)")
                    .contains("NOT STARTED engineers");
            assertThat(logs.lines()).filteredOn(l -> l.contains("does not exist")).allMatch(l -> !l.contains("\n"));
            assertThat(app.sandbox.requestLog()).as("nothing paid for").isEmpty();

            s3.createBucket(BUCKET);
            assertThat(app.run()).isEqualTo(0);
            String requestId = app.onlyRequestId();
            assertThat(app.sandbox.requestLog()).filteredOn(r -> r.kind() == EndpointKind.SUBMIT).hasSize(1);
            List<String> fileKeys = s3.keys(BUCKET, "").stream().filter(k -> k.endsWith(".jsonl.gz")).toList();
            assertThat(fileKeys).hasSize(3);
            assertThat(recordIds(fileKeys)).containsExactlyInAnyOrderElementsOf(
                    app.sandbox.expectedRecordIds(requestId));
        }
    }

    @Test
    void should_say_the_endpoint_is_unreachable_keep_the_run_resumable_and_finish_once_it_answers() throws Exception {
        s3 = new S3ProxyServer(dir, Duration.ZERO).createBucket(BUCKET);
        try (ExportHarness app = s3Export(small()).set("bulkexport.s3.endpoint", "https://127.0.0.1:1")
                .set("bulkexport.retry.max-retries", "1");
             LogCapture logs = new LogCapture(Level.INFO)) {
            assertThat(app.run()).isEqualTo(1);
            assertThat(logs.text()).contains("S3 check at start-up: S3 endpoint https://127.0.0.1:1 unreachable")
                    .contains("INCOMPLETE engineers");
            assertThat(filesUnder(dir.resolve("spool"))).isEmpty();

            app.set("bulkexport.s3.endpoint", s3.endpoint().toString());
            assertThat(app.run()).isEqualTo(0);
            assertThat(app.sandbox.requestLog()).filteredOn(r -> r.kind() == EndpointKind.SUBMIT).hasSize(1);
            assertThat(s3.keys(BUCKET, "")).filteredOn(k -> k.endsWith(".jsonl.gz")).hasSize(3);
        }
    }

    @Test
    void should_say_the_credentials_were_refused_before_submitting() throws Exception {
        s3 = new S3ProxyServer(dir, Duration.ZERO).createBucket(BUCKET);
        try (ExportHarness app = s3Export(small()); LogCapture logs = new LogCapture(Level.INFO)) {
            System.setProperty("aws.secretAccessKey", "not-the-secret");
            assertThat(app.run()).isEqualTo(1);
            assertThat(logs.text()).contains("S3 refused the credentials").contains("AWS default credential chain")
                    .contains("NOT STARTED engineers");
            assertThat(app.sandbox.requestLog()).as("nothing paid for").isEmpty();
        } finally {
            System.setProperty("aws.secretAccessKey", S3ProxyServer.SECRET_KEY);
        }
        assertThat(s3.keys(BUCKET, "")).isEmpty();
    }

    @Test
    void should_refuse_to_start_an_s3_job_without_a_bucket() throws Exception {
        s3 = new S3ProxyServer(dir, Duration.ZERO);
        try (ExportHarness app = s3Export(small()); LogCapture logs = new LogCapture(Level.INFO)) {
            app.overrides.remove("bulkexport.s3.bucket");
            assertThat(app.run()).isEqualTo(2);
            assertThat(logs.text()).contains("bulkexport.s3.bucket is not set: job engineers writes to S3");
            assertThat(app.sandbox.requestLog()).isEmpty();
        }
    }

    @Test
    void should_never_write_the_aws_secret_to_logs_state_spool_or_objects() throws Exception {
        s3 = new S3ProxyServer(dir, Duration.ZERO).createBucket(BUCKET);
        try (ExportHarness app = s3Export(small()); LogCapture logs = new LogCapture(Level.TRACE)) {
            assertThat(app.run()).isEqualTo(0);
            assertThat(logs.lines()).hasSizeGreaterThan(100);
            assertThat(logs.text()).doesNotContain(S3ProxyServer.SECRET_KEY);
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path file : walk.filter(Files::isRegularFile).toList()) {
                    assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
                            .as(file.toString()).doesNotContain(S3ProxyServer.SECRET_KEY);
                }
            }
            for (String key : s3.keys(BUCKET, "")) {
                assertThat(new String(s3.read(BUCKET, key), StandardCharsets.ISO_8859_1))
                        .doesNotContain(S3ProxyServer.SECRET_KEY);
            }
        }
    }

    private List<Long> recordIds(List<String> keys) throws Exception {
        List<Long> ids = new ArrayList<>();
        for (String key : keys) {
            for (String line : s3.lines(BUCKET, key)) {
                ids.add(ExportHarness.JSON.readTree(line).get("id").asLong());
            }
        }
        return ids;
    }

    private static List<Path> filesUnder(Path root) throws Exception {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
