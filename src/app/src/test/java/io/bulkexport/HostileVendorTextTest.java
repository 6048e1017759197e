package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.bulkexport.sandbox.DatafinitiSandbox;
import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.Fault;
import io.bulkexport.sandbox.SandboxSettings;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vendor's words are data, never code: file names carrying Simple expressions that read the API key (from the
 * environment and from system properties), a property placeholder, a bean call, a query and a bean reference that
 * would change an endpoint, percent escapes and spaces land under keys and paths holding those names as they are —
 * for S3 and for the file sink — and are fetched under those names; a request id that is not one is never used.
 */
class HostileVendorTextTest {
    private static final String BUCKET = "hostile-lake";

    @TempDir
    Path dir;

    private static SandboxSettings hostile() {
        return SandboxSettings.defaults().withFilesPerRequest(5).withRecordsPerFile(40).withRecordBytes(200)
                .withReadyAfter(Duration.ZERO).withHostileNames(true);
    }

    @Test
    void file_names_that_are_expressions_land_in_s3_under_their_own_words_and_leak_nothing() throws Exception {
        try (S3ProxyServer s3 = new S3ProxyServer(dir, Duration.ZERO).createBucket(BUCKET);
             ExportHarness app = new ExportHarness(dir, hostile()).esDslJob("lake-employees")) {
            app.uncompressedS3(s3, BUCKET);
            app.set("bulkexport.s3.prefix", "vendor");
            app.environment.put("CORESIGNAL_API_KEY", ExportHarness.API_KEY); // as a user sets it
            Process export = app.spawn("hostile");
            assertThat(export.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(export.exitValue()).as(app.log("hostile")).isZero();

            String requestId = app.onlyRequestId();
            List<String> expected = new ArrayList<>();
            for (String name : app.outputNames("lake-employees", requestId)) {
                expected.add("vendor/" + name);
            }
            expected.add("vendor/lake-employees/" + requestId + "/_manifest.json");
            List<String> keys = s3.keys(BUCKET, "");
            assertThat(keys).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(keys).anyMatch(key -> key.contains("-${env:CORESIGNAL_API_KEY}-"))
                    .anyMatch(key -> key.contains("-${sys.CORESIGNAL_API_KEY}-{{bulkexport.s3.bucket}}-"))
                    .anyMatch(key -> key.contains("-${bean:runs?method=toString} ${sys.user.home}-"))
                    .anyMatch(key -> key.contains("-?throwExceptionOnFailure=false&x=1#someBean-"))
                    .anyMatch(key -> key.contains("-%24%7Benv:CORESIGNAL_API_KEY%7D 100%-"))
                    .noneMatch(key -> key.contains(ExportHarness.API_KEY)).noneMatch(key -> key.contains(BUCKET));
            List<String> fileKeys = expected.subList(0, 5);
            assertThat(s3.recordIds(BUCKET, fileKeys)).hasSize(200).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(app.sandbox.expectedRecordIds(requestId));
            assertThat(ExportHarness.JSON.readTree(s3.read(BUCKET, expected.get(5))).toString())
                    .doesNotContain(ExportHarness.API_KEY);
            assertThat(Files.readString(dir.resolve("hostile.log"))).doesNotContain(ExportHarness.API_KEY);
            // each file was asked for under its own name: five downloads, each answered
            assertThat(app.sandbox.requestLog()).filteredOn(r -> r.kind() == EndpointKind.DOWNLOAD)
                    .hasSize(5).allMatch(r -> r.status() == 200);
        }
    }

    @Test
    void file_names_that_are_expressions_land_on_disk_under_their_own_words() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, hostile()).esDslJob("lake-employees");
             LogCapture logs = new LogCapture(Level.INFO)) {
            assertThat(app.run()).isZero();
            String requestId = app.onlyRequestId();
            List<String> files = new ArrayList<>();
            for (Path file : app.outputFiles("lake-employees")) {
                files.add(dir.resolve("out").relativize(file).toString());
            }
            assertThat(files).containsExactlyInAnyOrderElementsOf(app.outputNames("lake-employees", requestId));
            assertThat(files).anyMatch(name -> name.contains("-${sys.CORESIGNAL_API_KEY}-{{bulkexport.s3.bucket}}-"))
                    .noneMatch(name -> name.contains(ExportHarness.API_KEY));
            assertThat(app.landedIds("lake-employees")).hasSize(200).doesNotHaveDuplicates();
            assertThat(app.manifest("lake-employees").get("files")).hasSize(5);
            assertThat(logs.text()).doesNotContain(ExportHarness.API_KEY);
        }
    }

    @Test
    void a_status_message_that_is_an_expression_and_forges_log_lines_stays_one_literal_line() throws Exception {
        System.setProperty("DATAFINITI_API_TOKEN", DatafinitiExportTest.TOKEN);
        DatafinitiSandbox sandbox = new DatafinitiSandbox(DatafinitiExportTest.small()).start();
        try (ExportHarness app = ExportHarness.against(dir, sandbox)
                .set("bulkexport.datafiniti.base-url", sandbox.baseUrl())
                .set("bulkexport.datafiniti.download-hosts", sandbox.storageHost())
                .job("hotels", "provider: datafiniti\ndataset: businesses\nquery: city:Austin\nformat: json\n"
                        + "limit: 100\n");
             LogCapture logs = new LogCapture(Level.INFO)) {
            sandbox.faults().onStatus(Fault.respond(200, "{\"id\": 1, \"status\": \"cancelled\", \"error\":"
                    + " \"${env:DATAFINITI_API_TOKEN} {{bulkexport.datafiniti.base-url}}\\r\\n20:00:00.000 INFO"
                    + " bulkexport.runs hotels: DONE forged\\u001b[2J\\u202e\"}"));
            assertThat(app.run()).isEqualTo(1);
            List<String> said = logs.text().lines().filter(line -> line.contains("DONE forged")).toList();
            assertThat(said).isNotEmpty().allMatch(line -> line.contains("FAILED")
                    && line.contains("${env:DATAFINITI_API_TOKEN} {{bulkexport.datafiniti.base-url}} 20:00:00.000 INFO")
                    && line.contains("DONE forged?[2J?"));
            assertThat(logs.text()).doesNotContain(DatafinitiExportTest.TOKEN).doesNotContain("\u001b");
        } finally {
            System.clearProperty("DATAFINITI_API_TOKEN");
        }
    }

    @Test
    void a_request_id_that_is_not_one_is_never_used_and_needs_a_person() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, hostile()).esDslJob("lake-employees");
             LogCapture logs = new LogCapture(Level.INFO)) {
            app.sandbox.faults().onSubmit(Fault.respond(201,
                    "{\"request_id\": \"1/../../v2/data_requests?x=${sys.CORESIGNAL_API_KEY}\"}"));
            assertThat(app.run()).isEqualTo(1);
            assertThat(logs.text()).contains("NEEDS_ATTENTION lake-employees")
                    .contains("holds a request id that is not one: '1/../../v2/data_requests?x=${sys.CORESIGNAL_API_KEY}'")
                    .doesNotContain(ExportHarness.API_KEY);
            assertThat(app.sandbox.requestLog()).as("no call with the id in it")
                    .noneMatch(r -> r.kind() == EndpointKind.STATUS || r.kind() == EndpointKind.DOWNLOAD);
        }
    }
}
