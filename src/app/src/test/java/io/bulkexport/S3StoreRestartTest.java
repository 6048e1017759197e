package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.SandboxSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 store crashes while a part is being written and comes back a few seconds later, having lost the state of the
 * uploads begun before (it can no longer abort them). The export, started again if it gave up, lands every object
 * with exactly the served records: the upload it cannot abort is left to the bucket's lifecycle rule and never
 * blocks the file's new upload.
 */
class S3StoreRestartTest {
    static final String BUCKET = "restart-lake";

    @TempDir
    Path dir;

    @Test
    void should_land_every_object_after_the_store_crashes_mid_part_and_comes_back() throws Exception {
        // 3 files of about 7 MB, uploaded uncompressed in parts of 5 MiB, each part held 1 s by the store
        SandboxSettings settings = SandboxSettings.defaults().withFilesPerRequest(3).withRecordsPerFile(7000)
                .withRecordBytes(1000).withReadyAfter(Duration.ZERO);
        try (S3ProxyServer s3 = new S3ProxyServer(dir, Duration.ofSeconds(1)).createBucket(BUCKET);
             ExportHarness app = new ExportHarness(dir, settings).esDslJob("engineers")) {
            app.uncompressedS3(s3, BUCKET);
            Process first = app.spawn("first");
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (s3.unfinishedUploads(BUCKET).isEmpty() && first.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(first.isAlive()).as("uploading: " + app.log("first")).isTrue();
            s3.crashAndRestartAfter(Duration.ofSeconds(5));

            // the first process may land everything once the store is back, or give the files up: then start again
            assertThat(first.waitFor(180, TimeUnit.SECONDS)).as(app.log("first")).isTrue();
            String logs = app.log("first");
            if (first.exitValue() != 0) {
                Process second = app.spawn("second");
                assertThat(second.waitFor(180, TimeUnit.SECONDS)).isTrue();
                assertThat(second.exitValue()).as(app.log("second")).isZero();
                logs += app.log("second");
            }

            String requestId = app.onlyRequestId();
            List<String> fileKeys = app.outputNames("engineers", requestId);
            List<String> all = new ArrayList<>(fileKeys);
            all.add("engineers/" + requestId + "/_manifest.json");
            assertThat(s3.keys(BUCKET, "")).containsExactlyInAnyOrderElementsOf(all);
            assertThat(s3.recordIds(BUCKET, fileKeys)).hasSize(21_000).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(app.sandbox.expectedRecordIds(requestId));
            assertThat(logs).as("the upload the store lost is left to the lifecycle rule")
                    .contains("it is left to the bucket's lifecycle rule")
                    .as("an outage is not called a refusal").doesNotContain("S3 refused");
            assertThat(app.sandbox.requestLog()).filteredOn(r -> r.kind() == EndpointKind.SUBMIT).hasSize(1);
        }
    }
}
