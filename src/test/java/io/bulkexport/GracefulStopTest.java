package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.Fault;
import io.bulkexport.sandbox.SandboxSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM in the middle of an export: a graceful stop that leaves consistent state, and a restart that finishes. */
class GracefulStopTest {
    @TempDir
    Path dir;

    @Test
    void should_stop_gracefully_on_sigterm_and_finish_on_restart() throws Exception {
        SandboxSettings settings = SandboxSettings.defaults().withFilesPerRequest(6).withRecordsPerFile(2000)
                .withRecordBytes(800).withReadyAfter(Duration.ZERO);
        try (ExportHarness app = new ExportHarness(dir, settings).esDslJob("engineers")) {
            for (int file = 0; file < 6; file++) {
                app.sandbox.faults().onDownloadOfFile(file, Fault.delay(Duration.ofMillis(700)));
            }
            Process first = app.spawn("first");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (landed(dir.resolve("out")) < 2 && first.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(first.isAlive()).as("still exporting when stopped").isTrue();
            first.destroy(); // SIGTERM
            assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("stops within the shutdown timeout").isTrue();
            assertThat(first.exitValue()).as("the JVM's code for a stop by SIGTERM after its shutdown ran").isEqualTo(143);
            String firstLog = Files.readString(dir.resolve("first.log"));
            assertThat(firstLog).as("state recorded until the end of the shutdown").doesNotContain("already closed");
            assertThat(app.allFiles()).noneMatch(p -> p.getFileName().toString().endsWith(".part"));
            java.util.List<String> landedAtStop = app.outputFiles("engineers").stream()
                    .map(p -> p.getFileName().toString().replace(".jsonl", "")).toList();

            long restartedAt = System.nanoTime();
            Process second = app.spawn("second");
            assertThat(second.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).as(app.log("second")).isEqualTo(0);
            assertThat(app.sandbox.requestLog()).filteredOn(r -> r.kind() == EndpointKind.SUBMIT).hasSize(1);
            assertThat(app.landedIds("engineers")).hasSize(12_000).doesNotHaveDuplicates();
            assertThat(app.sandbox.requestLog().stream()
                    .filter(r -> r.kind() == EndpointKind.DOWNLOAD && r.arrivalNanos() > restartedAt)
                    .map(r -> r.path().replaceAll(".*/", "").replace(".json.gz", "")))
                    .as("files landed before the stop are not fetched again").doesNotContainAnyElementsOf(landedAtStop);
        }
    }

    private static long landed(Path out) throws Exception {
        if (!Files.isDirectory(out)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(out)) {
            return walk.filter(p -> p.toString().endsWith(".jsonl") && !p.getFileName().toString().startsWith("."))
                    .count();
        }
    }
}
