package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.bulkexport.sandbox.EndpointKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM in the middle of an export: a graceful stop that leaves consistent state, and a restart that finishes. */
class GracefulStopTest {
    @TempDir
    Path dir;

    @Test
    void should_stop_gracefully_on_sigterm_and_finish_on_restart() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, ExportHarness.sixFiles()).esDslJob("engineers")
                .holdDownloads(6, Duration.ofMillis(700))) {
            Process first = app.spawn("first");
            app.awaitLanded(first, 2);
            assertThat(first.isAlive()).as("still exporting when stopped").isTrue();
            first.destroy(); // SIGTERM
            assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("stops within the shutdown timeout").isTrue();
            assertThat(first.exitValue()).as("the JVM's code for a stop by SIGTERM after its shutdown ran").isEqualTo(143);
            String firstLog = Files.readString(dir.resolve("first.log"));
            assertThat(firstLog).as("state recorded until the end of the shutdown").doesNotContain("already closed");
            assertThat(app.allFiles()).noneMatch(p -> p.getFileName().toString().endsWith(".part"));
            java.util.List<String> landedAtStop = app.landedNames();

            long restartedAt = System.nanoTime();
            Process second = app.spawn("second");
            assertThat(second.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).as(app.log("second")).isEqualTo(0);
            assertThat(app.sandbox.requestLog()).filteredOn(r -> r.kind() == EndpointKind.SUBMIT).hasSize(1);
            assertThat(app.landedIds("engineers")).hasSize(12_000).doesNotHaveDuplicates();
            assertThat(app.fetchedSince(restartedAt)).as("files landed before the stop are not fetched again").doesNotContainAnyElementsOf(landedAtStop);
        }
    }
}
