package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.bulkexport.sandbox.SandboxSettings;
import io.bulkexport.sandbox.Submission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** In service mode a recurring job runs on its cron schedule; each firing is a new run with its own request. */
class ScheduledJobTest {
    @TempDir
    Path dir;

    @Test
    void should_submit_a_new_run_at_each_firing() throws Exception {
        SandboxSettings settings = SandboxSettings.defaults().withFilesPerRequest(1).withRecordsPerFile(5)
                .withReadyAfter(Duration.ZERO);
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try (ExportHarness app = new ExportHarness(dir, settings)) {
            app.job("nightly", "provider: coresignal\ndataset: employee_clean\nmethod: es_dsl\nrequest: "
                    + Path.of("config/queries/coresignal-python-engineers.json").toAbsolutePath()
                    + "\nschedule: \"0/2 * * * * ?\"\n").set("bulkexport.run-mode", "service");
            BulkExport export = new BulkExport(app.overrides);
            Future<Integer> exit = thread.submit(export::run);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (requestDirs(app).size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            export.stop();
            assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(0);

            List<String> submitted = app.sandbox.submissions().stream().map(Submission::requestId).toList();
            assertThat(submitted).hasSizeGreaterThanOrEqualTo(2).doesNotHaveDuplicates();
            assertThat(requestDirs(app)).hasSizeGreaterThanOrEqualTo(2);
        } finally {
            thread.shutdownNow();
        }
    }

    private static List<Path> requestDirs(ExportHarness app) throws Exception {
        Path job = app.dir.resolve("out/nightly");
        if (!Files.isDirectory(job)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(job)) {
            return dirs.filter(d -> Files.exists(d.resolve("_manifest.json"))).toList();
        }
    }
}
