package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.bulkexport.state.FileLanded;
import io.bulkexport.state.TestRuns;
import io.bulkexport.state.FileStatus;
import io.bulkexport.state.Run;
import io.bulkexport.state.RunStatus;
import io.bulkexport.state.StateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bulk-export status}, run as its own process as a user would, over a state database holding a run in each
 * state a person asks about: done, waiting for the vendor, needing attention, incomplete.
 */
class StatusCommandTest {
    @TempDir
    Path dir;

    @Test
    void prints_one_line_per_job_and_the_command_that_resolves_a_run() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("state/db").toAbsolutePath() + ";WRITE_DELAY=0";
        try (HikariDataSource pool = pool(url)) {
            StateStore store = new StateStore(pool, Clock.systemUTC());
            store.migrate();
            Run done = TestRuns.create(store, "done-job", "coresignal", null);
            store.markSubmitted(done.runId(), "req-done-1", Instant.now(), 1000);
            store.startDownloading(done.runId(), List.of("a.json.gz", "b.json.gz"));
            land(store, done, "a.json.gz", 700, 2, "done-job/req-done-1/a.jsonl");
            land(store, done, "b.json.gz", 300, 0, "done-job/req-done-1/b.jsonl");
            store.transition(done.runId(), RunStatus.DOWNLOADING, RunStatus.DONE, null);

            Run waiting = TestRuns.create(store, "waiting-job", "datafiniti", null);
            store.markSubmitted(waiting.runId(), "req-wait-2", Instant.now().plusSeconds(600), 600_000);

            Run lost = TestRuns.create(store, "lost-job", "coresignal", null);
            store.transition(lost.runId(), RunStatus.SUBMITTING, RunStatus.NEEDS_ATTENTION,
                    "the process died while submitting");

            Run partial = TestRuns.create(store, "partial-job", "coresignal", null);
            store.markSubmitted(partial.runId(), "req-part-4", Instant.now(), 1000);
            store.startDownloading(partial.runId(), List.of("x.json.gz", "y.json.gz", "z.json.gz"));
            land(store, partial, "x.json.gz", 50, 0, "partial-job/req-part-4/x.jsonl");
            store.files().failed(store.files().claim(partial.runId(), "y.json.gz").orElseThrow(), FileStatus.FAILED,
                    "coresignal answered 500");
            store.transition(partial.runId(), RunStatus.DOWNLOADING, RunStatus.INCOMPLETE,
                    "1 of 3 file(s) failed");
        }

        Result text = status(url);
        assertThat(text.exit).as(text.err).isZero();
        List<String> lines = text.out.lines().toList();
        assertThat(lines.get(0)).startsWith("JOB").contains("STATUS", "FILES", "RECORDS", "AGE");
        assertThat(line(lines, "done-job")).contains("DONE", "2/2", "1000", "request req-done-1");
        assertThat(line(lines, "waiting-job")).contains("SUBMITTED", "0/0", "waiting for the vendor")
                .containsPattern("next status check in (9|10)m");
        assertThat(line(lines, "lost-job")).contains("NEEDS_ATTENTION", "the process died while submitting");
        assertThat(text.out).contains("bin/bulk-export -Dbulkexport.attach.lost-job=<request id>")
                .contains("bin/bulk-export -Dbulkexport.new-run=lost-job");
        assertThat(line(lines, "partial-job")).contains("INCOMPLETE", "1/3", "50");
        assertThat(statusWith(url, "-Dbulkexport.status.command=acme-export").out)
                .as("the command the report suggests, as bulkexport.status.command names it")
                .contains("acme-export -Dbulkexport.attach.lost-job=<request id>");
        assertThat(text.out).contains("start the job again to fetch the missing files, without submitting");
        assertThat(lines.stream().filter(l -> l.matches("[a-z]+-job .*")).count()).isEqualTo(4);

        Result json = status(url, "--json");
        assertThat(json.exit).as(json.err).isZero();
        JsonNode jobs = ExportHarness.JSON.readTree(json.out).get("jobs");
        assertThat(jobs).hasSize(4);
        JsonNode first = jobs.get(0);
        assertThat(first.get("job").asText()).isEqualTo("done-job");
        assertThat(first.get("files").asInt()).isEqualTo(2);
        assertThat(first.get("records").asLong()).isEqualTo(1000);
        assertThat(first.get("quarantined").asLong()).isEqualTo(2);
    }

    @Test
    void lists_each_budget_with_what_it_has_used_and_left() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("state/db").toAbsolutePath() + ";WRITE_DELAY=0";
        try (HikariDataSource pool = pool(url)) {
            StateStore store = new StateStore(pool, Clock.systemUTC(), "i1");
            store.migrate();
            store.startRun("spender", "coresignal", null, null, new io.bulkexport.state.Budgets.Spend("coresignal",
                    1200, List.of(new io.bulkexport.state.Budgets.Budget("coresignal",
                    io.bulkexport.state.Budgets.Period.DAY, 5000)), null)).orElseThrow();
        }
        Result text = statusWith(url, "-Dbulkexport.coresignal.budget.records-per-day=5000");
        assertThat(text.exit).as(text.err).isZero();
        assertThat(text.out).containsPattern("bulkexport\\.coresignal\\.budget\\.records-per-day = 5000: 1200 used,"
                + " 3800 left \\(renews \\d{4}-\\d\\d-\\d\\dT00:00:00Z\\)");
        JsonNode budgets = ExportHarness.JSON.readTree(statusWith(url,
                "-Dbulkexport.coresignal.budget.records-per-day=5000", "--json").out).get("budgets");
        assertThat(budgets).singleElement().satisfies(budget -> {
            assertThat(budget.get("used").asLong()).isEqualTo(1200);
            assertThat(budget.get("left").asLong()).isEqualTo(3800);
        });
    }

    @Test
    void says_so_when_there_is_no_state_database_yet_or_a_bad_option() throws Exception {
        Result none = status("jdbc:h2:file:" + dir.resolve("nothing/db").toAbsolutePath());
        assertThat(none.exit).isEqualTo(2);
        assertThat(none.err).contains("no runs yet").doesNotContain("Exception");
        assertThat(Files.exists(dir.resolve("nothing/db.mv.db"))).as("the reader creates no database").isFalse();

        Result bad = status("jdbc:h2:file:" + dir.resolve("nothing/db").toAbsolutePath(), "--jsn");
        assertThat(bad.exit).isEqualTo(2);
        assertThat(bad.err).contains("unknown option --jsn", "usage: bin/bulk-export status");
    }

    @Test
    void sends_the_user_to_the_running_service_while_it_holds_the_embedded_database_and_refuses_a_second_instance() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, io.bulkexport.sandbox.SandboxSettings.defaults());
             ServiceEndpointsTest.Service service = new ServiceEndpointsTest.Service(app)) {
            app.esDslJob("held");
            service.start();
            Result held = status(app.overrides.get("bulkexport.state.url"));
            assertThat(held.exit).isEqualTo(2);
            assertThat(held.err).contains("open in a running bulk-export", "/api/status").doesNotContain("Exception");

            // a second instance on the same embedded database is refused, saying how to run several
            app.set("bulkexport.run-mode", "once");
            Process second = app.spawn("second");
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String log = Files.readString(dir.resolve("second.log"));
            assertThat(second.exitValue()).as(log).isEqualTo(2);
            assertThat(log).contains("embedded H2 serves one process", "PostgreSQL");
        }
    }

    /** Lands a file of the run in the ledger, as the pipeline does: claimed, then landed under the claim. */
    private static void land(StateStore store, Run run, String file, long records, long quarantined, String path)
            throws Exception {
        store.files().land(store.files().claim(run.runId(), file).orElseThrow(),
                new FileLanded(path, records, records * 10, quarantined, "00", null), () -> { });
    }

    private static String line(List<String> lines, String job) {
        return lines.stream().filter(l -> l.startsWith(job + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no line for " + job + " in " + lines));
    }

    private record Result(int exit, String out, String err) {
    }

    private Result status(String url, String... args) throws Exception {
        return statusWith(url, "-Dbulkexport.status.command=bin/bulk-export", args);
    }

    private Result statusWith(String url, String option, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), "-Dbulkexport.state.url=" + url, option,
                BulkExportApp.class.getName(), "status"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(new File("."))
                .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile())
                .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), Files.readString(dir.resolve("out.txt")),
                Files.readString(dir.resolve("err.txt")));
    }

    private static HikariDataSource pool(String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        return new HikariDataSource(config);
    }
}
