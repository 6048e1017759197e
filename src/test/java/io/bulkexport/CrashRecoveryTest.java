package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.Fault;
import io.bulkexport.sandbox.SandboxSettings;
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
        SandboxSettings settings = SandboxSettings.defaults().withFilesPerRequest(6).withRecordsPerFile(2000)
                .withRecordBytes(800).withReadyAfter(Duration.ZERO);
        try (ExportHarness app = new ExportHarness(dir, settings).esDslJob("engineers")) {
            for (int file = 0; file < 6; file++) {
                app.sandbox.faults().onDownloadOfFile(file, Fault.delay(Duration.ofMillis(700)));
            }
            Process first = app.spawn("first");
            Path out = dir.resolve("out");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (landedFiles(out) < 2 && first.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(100); // let the landed files' state commit; the other downloads are held 700 ms each
            assertThat(first.isAlive()).as("still exporting when killed").isTrue();
            first.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs
            List<String> landedBeforeKill = landedNames(out);
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
            List<String> fetchedAfterRestart = app.sandbox.requestLog().stream()
                    .filter(r -> r.kind() == EndpointKind.DOWNLOAD && r.arrivalNanos() > restartedAt)
                    .map(r -> r.path().replaceAll(".*/", "").replaceAll("\\.json\\.gz$", "")).toList();
            assertThat(fetchedAfterRestart).hasSize(6 - landedBeforeKill.size())
                    .doesNotContainAnyElementsOf(landedBeforeKill);
        }
    }

    private static List<String> landedNames(Path out) throws Exception {
        try (var walk = Files.walk(out)) {
            return walk.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".jsonl") && !n.startsWith("."))
                    .map(n -> n.replaceAll("\\.jsonl$", "")).toList();
        }
    }

    private static int landedFiles(Path out) throws Exception {
        if (!Files.isDirectory(out)) {
            return 0;
        }
        try (var walk = Files.walk(out)) {
            return (int) walk.filter(p -> p.toString().endsWith(".jsonl") && !p.getFileName().toString().startsWith("."))
                    .count();
        }
    }
}
