package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.SandboxSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application as its own process, writing to S3, killed with SIGKILL while multipart uploads are in flight and
 * started again: the bucket ends with exactly one object per file holding exactly the served records, the manifest,
 * and no unfinished multipart upload.
 */
class S3CrashRecoveryTest {
    static final String BUCKET = "crash-lake";

    @TempDir
    Path dir;

    @Test
    void should_leave_one_object_per_file_and_no_unfinished_upload_after_a_kill_mid_upload() throws Exception {
        // 4 files of about 7 MB, uploaded uncompressed in parts of 5 MiB, each part held 1.5 s by the store
        SandboxSettings settings = SandboxSettings.defaults().withFilesPerRequest(4).withRecordsPerFile(7000)
                .withRecordBytes(1000).withReadyAfter(Duration.ZERO);
        try (S3ProxyServer s3 = new S3ProxyServer(dir, Duration.ofMillis(1500)).createBucket(BUCKET);
             ExportHarness app = new ExportHarness(dir, settings).esDslJob("engineers")) {
            Path spool = app.uncompressedS3(s3, BUCKET);

            Process first = app.spawn("first");
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            List<String> inFlight = List.of(); // as seen just before the kill (an upload may end in between)
            while ((s3.written().isEmpty() || (inFlight = s3.unfinishedUploads(BUCKET)).isEmpty()) && first.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(first.isAlive()).as("still uploading when killed: " + app.log("first")).isTrue();
            first.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs
            assertThat(inFlight).as("uploads in flight just before the kill").isNotEmpty();
            assertThat(s3.keys(BUCKET, "")).as("objects at the kill").hasSizeLessThan(4);
            // what the kill left unfinished (on a loaded machine the upload seen may just have ended)
            List<String> leftUnfinished = s3.unfinishedUploads(BUCKET);

            Process second = app.spawn("second");
            assertThat(second.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).as(app.log("second")).isEqualTo(0);

            String requestId = app.onlyRequestId();
            String request = "engineers/" + requestId + "/";
            List<String> fileKeys = app.outputNames("engineers", requestId);
            List<String> all = new ArrayList<>(fileKeys);
            all.add(request + "_manifest.json");
            assertThat(s3.keys(BUCKET, "")).containsExactlyInAnyOrderElementsOf(all);
            assertThat(s3.recordIds(BUCKET, fileKeys)).hasSize(28_000).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(app.sandbox.expectedRecordIds(requestId));
            assertThat(s3.unfinishedUploads(BUCKET)).isEmpty();
            if (!leftUnfinished.isEmpty()) {
                assertThat(Files.readString(dir.resolve("second.log")))
                        .contains("unfinished upload(s) of s3://" + BUCKET);
            }
            assertThat(ExportHarness.JSON.readTree(s3.read(BUCKET, request + "_manifest.json")).get("records")
                    .asLong()).isEqualTo(28_000);
            assertThat(app.sandbox.requestLog()).filteredOn(r -> r.kind() == EndpointKind.SUBMIT).hasSize(1);
            try (Stream<Path> left = Files.walk(spool)) {
                assertThat(left.filter(Files::isRegularFile)).isEmpty();
            }
        }
    }
}
