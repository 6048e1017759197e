package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.bulkexport.sandbox.Fault;
import io.bulkexport.sandbox.SandboxSettings;
import io.bulkexport.sandbox.Submission;
import io.bulkexport.state.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spend control against the Coresignal emulator: budgets the instances sharing one PostgreSQL respect together, a
 * credit floor read from the vendor's balance, budget settings that cannot be counted refused, and incremental
 * recurring jobs that ask only for what changed since their last DONE run.
 */
class SpendControlTest {
    private static final String QUERY = "{\"es_dsl_query\": {\"query\": {\"match\": {\"job_title\": \"python\"}}}}";

    @TempDir
    Path dir;

    private static ExportHarness app(Path dir) {
        // each run delivers exactly its limit, so what it counts stays what it reserved
        return new ExportHarness(dir, SandboxSettings.defaults().withFilesPerRequest(1).withRecordsPerFile(1000)
                .withReadyAfter(Duration.ZERO));
    }

    private ExportHarness limitedJobs(ExportHarness app, int jobs, long limit) throws Exception {
        Path query = Files.writeString(dir.resolve("query.json"), QUERY);
        for (int i = 0; i < jobs; i++) {
            app.job("job-" + i, "provider: coresignal\ndataset: employee_clean\nmethod: es_dsl\nrequest: " + query
                    + "\nlimit: " + limit + "\n");
        }
        return app;
    }

    @Test
    void three_instances_on_one_database_submit_exactly_what_the_budget_holds() throws Exception {
        Optional<Path> bin = PostgresServer.binaries();
        assumeTrue(bin.isPresent() || System.getenv("BULKEXPORT_REQUIRE_POSTGRES") != null,
                "PostgreSQL is not installed");
        try (PostgresServer postgres = PostgresServer.start(bin.orElseThrow()); ExportHarness app = app(dir)) {
            // six one-shot jobs of 1,000 records each, a day's budget of 4,000: four submissions fit
            limitedJobs(app, 6, 1000).set("bulkexport.state.url", postgres.createDatabase("budget"))
                    .set("bulkexport.coresignal.budget.records-per-day", "4000");
            List<Process> instances = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                app.set("bulkexport.instance.id", "spender-" + i);
                instances.add(app.spawn("spender-" + i));
            }
            String logs = "";
            for (int i = 0; i < instances.size(); i++) {
                assertThat(instances.get(i).waitFor(120, TimeUnit.SECONDS)).as("instance " + i + " ends").isTrue();
                logs += app.log("spender-" + i);
            }
            assertThat(app.sandbox.submissions()).as(logs).hasSize(4);
            Matcher refused = Pattern.compile("(job-\\d): OVER BUDGET — over budget: bulkexport\\.coresignal\\.budget"
                    + "\\.records-per-day = 4000, 4000 used today \\(UTC\\), 0 left; this job may buy 1000 records")
                    .matcher(logs);
            java.util.Set<String> overBudget = new java.util.TreeSet<>();
            while (refused.find()) {
                overBudget.add(refused.group(1)); // an instance that starts later tries them again, and is refused
            }
            assertThat(overBudget).as(logs).hasSize(2);

            // a restart counts what was spent: the refused jobs are tried again, and refused again
            app.set("bulkexport.instance.id", "restarted");
            assertThat(app.run()).isEqualTo(1);
            assertThat(app.sandbox.submissions()).hasSize(4);
        }
    }

    @Test
    void a_credit_floor_stops_submissions_the_vendors_balance_cannot_take_above_it() throws Exception {
        try (ExportHarness app = app(dir)) {
            app.sandbox.credits(2_600);
            limitedJobs(app, 1, 1000).set("bulkexport.coresignal.budget.credits-floor", "1000");
            assertThat(app.run()).isEqualTo(0); // the balance is not known yet; the answer reports 1,600 left
            assertThat(app.sandbox.creditsLeft()).isEqualTo(1_600);

            String text;
            limitedJobs(app, 3, 1000); // job-1 and job-2 join: 1,600 - 1,000 would leave less than the floor
            try (LogCapture log = new LogCapture(org.apache.logging.log4j.Level.INFO)) {
                assertThat(app.run()).isEqualTo(1);
                text = log.text();
            }
            assertThat(app.sandbox.submissions()).hasSize(1);
            assertThat(text).contains("job-1: OVER BUDGET — over budget: coresignal reported 1600 credits left",
                    "this job may buy 1000 records, which would take the balance below"
                            + " bulkexport.coresignal.budget.credits-floor = 1000");
        }
    }

    @Test
    void a_recurring_job_asks_for_what_changed_since_its_last_done_run() throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults().withFilesPerRequest(1)
                .withRecordsPerFile(5).withReadyAfter(Duration.ZERO))) {
            Path query = Files.writeString(dir.resolve("changed.json"), "{\"es_dsl_query\": {\"query\": {\"bool\":"
                    + " {\"filter\": [{\"range\": {\"last_updated\": {\"gte\": \"${variable.since}\"}}}]}}}}");
            app.job("daily", "provider: coresignal\ndataset: employee_clean\nmethod: es_dsl\nrequest: " + query
                    + "\nschedule: \"0/2 * * * * ?\"\nsince_format: \"yyyy-MM-dd HH:mm:ss\"\n"
                    + "since_initial: \"1970-01-01 00:00:00\"\n").set("bulkexport.run-mode", "service");
            // the first firing is refused (the emulator records only the submissions it accepts): a failed run does
            // not move the cursor
            app.sandbox.faults().onSubmit(Fault.respond(400, "{\"detail\": \"bad query\"}"));
            BulkExport export = new BulkExport(app.overrides);
            Future<Integer> exit = thread.submit(export::run);
            long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            while (app.sandbox.submissions().size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            export.stop();
            assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(0);

            List<String> since = app.sandbox.submissions().stream().map(Submission::body).map(SpendControlTest::gte)
                    .toList();
            List<Instant[]> runs = runs(app); // created_at, and DONE or not, oldest first
            assertThat(since).hasSizeGreaterThanOrEqualTo(3);
            assertThat(runs.get(0)[1]).as("the refused firing did not end DONE").isNull();
            assertThat(since.get(0)).as("no DONE run yet; the failed one left the cursor")
                    .isEqualTo("1970-01-01 00:00:00");
            assertThat(runs.get(1)[1]).isNotNull();
            assertThat(since.get(1)).isEqualTo(text(runs.get(1)[0]));
            assertThat(runs.get(2)[1]).isNotNull();
            assertThat(since.get(2)).isEqualTo(text(runs.get(2)[0]));
        } finally {
            thread.shutdownNow();
        }
    }

    private static String gte(String body) {
        try {
            return ExportHarness.JSON.readTree(body).at("/es_dsl_query/query/bool/filter/0/range/last_updated/gte")
                    .asText();
        } catch (Exception e) {
            throw new IllegalStateException(body, e);
        }
    }

    private static String text(Instant instant) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC)
                .format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    /** Each run of the ledger, oldest first: its start, and its start again when it ended DONE (else null). */
    private static List<Instant[]> runs(ExportHarness app) throws Exception {
        List<Instant[]> runs = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(app.overrides.get("bulkexport.state.url"));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT created_at, status FROM bulkexport_run ORDER BY created_at")) {
            while (rs.next()) {
                Instant start = Instant.ofEpochMilli(rs.getLong("created_at"));
                runs.add(new Instant[] {start, "DONE".equals(rs.getString("status")) ? start : null});
            }
        }
        return runs;
    }
}
