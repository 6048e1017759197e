package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.SandboxSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application as its own process, killed with SIGKILL and started again: in the middle of a multi-file export,
 * the export finishes with exactly the served records, once each, from exactly one submission; while submissions
 * wait for the rate limit, only one already sent may need a person, and the others are submitted once.
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

    @Test
    void should_leave_only_a_sent_submission_needing_attention_when_killed_while_others_wait_for_the_rate_limit()
            throws Exception {
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults())) {
            // each job asks for a different number of records: its submissions are told apart by their limit
            Map<Long, String> jobByLimit = new HashMap<>();
            for (int i = 1; i <= 6; i++) {
                app.job("job-" + i, "provider: coresignal\ndataset: employee_clean\nmethod: es_dsl\nrequest: "
                        + Path.of("config/queries/coresignal-python-engineers.json").toAbsolutePath()
                        + "\nlimit: " + (1000 + i) + "\n");
                jobByLimit.put(1000L + i, "job-" + i);
            }
            // one call a second: the first submission goes out, the other five wait for the rate limit
            app.set("bulkexport.coresignal.rate", "1");
            Process first = app.spawn("first");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (app.sandbox.submissions().isEmpty() && first.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertThat(app.sandbox.submissions()).as(app.log("first")).isNotEmpty();
            first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            int sentBeforeKill = app.sandbox.submissions().size();

            app.set("bulkexport.coresignal.rate", "27");
            Process second = app.spawn("second");
            assertThat(second.waitFor(90, TimeUnit.SECONDS)).isTrue();
            List<String> summary = Files.readAllLines(dir.resolve("second.log")).stream()
                    .filter(line -> line.contains(" b.summary - ")).toList();
            String log = String.join("\n", summary);
            long needingAttention = summary.stream().filter(line -> line.contains(" - NEEDS_ATTENTION ")).count();
            // a submission still waiting for its permit was not stored, so it is submitted now; only one that had
            // been sent (its answer not yet stored) may need a person
            assertThat(needingAttention).as(log).isLessThanOrEqualTo(sentBeforeKill);
            Map<String, Long> submissionsByJob = app.sandbox.submissions().stream()
                    .collect(Collectors.groupingBy(s -> jobByLimit.get(s.limit()), Collectors.counting()));
            assertThat(submissionsByJob).as("one submission per job").hasSize(6).allSatisfy((job, n) ->
                    assertThat(n).as(job).isEqualTo(1L));
            assertThat(summary.stream().filter(line -> line.contains(" - DONE ")).count()).as(log)
                    .isEqualTo(6 - needingAttention);
            assertThat(second.exitValue()).isEqualTo(needingAttention == 0 ? 0 : 1);
        }
    }
}
