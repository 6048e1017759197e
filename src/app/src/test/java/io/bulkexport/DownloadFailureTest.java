package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.bulkexport.sandbox.SandboxSettings;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run whose output cannot be written ends INCOMPLETE with the reason (the process does not hang), and resumes. */
class DownloadFailureTest {
    @TempDir
    Path dir;

    @Test
    void should_end_incomplete_when_the_manifest_cannot_be_written_then_resume() throws Exception {
        SandboxSettings settings = SandboxSettings.defaults().withFilesPerRequest(2).withRecordsPerFile(50)
                .withReadyAfter(Duration.ZERO);
        try (ExportHarness app = new ExportHarness(dir, settings).esDslJob("engineers");
             LogCapture logs = new LogCapture(Level.INFO)) {
            Path blocker = Files.createDirectories(dir.resolve("out/engineers"));
            // a directory where the manifest must go makes writing it fail
            app.set("bulkexport.download.parallelism", "1");
            Thread watcher = new Thread(() -> blockManifest(blocker));
            watcher.start();
            int first = app.run();
            watcher.join();
            assertThat(first).isEqualTo(1);
            assertThat(logs.text()).contains("INCOMPLETE engineers").contains("download stopped");

            clearBlock(blocker);
            assertThat(app.run()).isEqualTo(0);
            assertThat(app.sandbox.submissions()).hasSize(1);
            assertThat(app.manifest("engineers").get("records").asLong()).isEqualTo(100);
        }
    }

    /** Waits for the request folder, then puts a directory (not empty) where the manifest would be moved. */
    private static void blockManifest(Path jobDir) {
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                try (var dirs = Files.list(jobDir)) {
                    var request = dirs.findFirst();
                    if (request.isPresent()) {
                        Files.createDirectories(request.get().resolve("_manifest.json/x"));
                        return;
                    }
                }
                Thread.sleep(5);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void clearBlock(Path jobDir) throws Exception {
        try (var dirs = Files.list(jobDir)) {
            Path request = dirs.findFirst().orElseThrow();
            try (var left = Files.list(request)) {
                assertThat(left.map(p -> p.getFileName().toString())).as("the failed write's temporary file")
                        .noneMatch(name -> name.endsWith(".part"));
            }
            Files.delete(request.resolve("_manifest.json/x"));
            Files.delete(request.resolve("_manifest.json"));
        }
    }
}
