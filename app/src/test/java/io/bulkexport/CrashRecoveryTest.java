package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.bulkexport.sandbox.EndpointKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application as its own process, killed with SIGKILL in the middle of a multi-file export and started again:
 * the export finishes with exactly the served records, once each, from exactly one submission.
 */
class CrashRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void should_finish_exactly_once_after_a_kill_mid_export() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, ExportHarness.sixFiles()).esDslJob("engineers")
                .holdDownloads(6, Duration.ofMillis(700))) {
            Process first = app.spawn("first");
            app.awaitLanded(first, 2);
            Thread.sleep(100); // let the landed files' state commit; the other downloads are held 700 ms each
            assertThat(first.isAlive()).as("still exporting when killed").isTrue();
            first.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs
            List<String> landedBeforeKill = app.landedNames();
            assertThat(landedBeforeKill).hasSizeBetween(2, 5);

            long restartedAt = System.nanoTime();
            Process second = app.spawn("second");
            assertThat(second.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).as(app.log("second")).isEqualTo(0);

            String requestId = app.onlyRequestId();
            assertThat(app.sandbox.requestLog()).filteredOn(r -> r.kind() == EndpointKind.SUBMIT).hasSize(1);
            assertThat(app.landedIds("engineers")).hasSize(12_000).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(app.sandbox.expectedRecordIds(requestId));
            assertThat(app.allFiles()).noneMatch(p -> p.getFileName().toString().endsWith(".part"));
            assertThat(app.manifest("engineers").get("records").asLong()).isEqualTo(12_000);
            // files that had landed are not fetched again; the others are
            assertThat(app.fetchedSince(restartedAt)).hasSize(6 - landedBeforeKill.size())
                    .doesNotContainAnyElementsOf(landedBeforeKill);
        }
    }
}
