package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulkexport.sandbox.DatafinitiSandbox;
import io.bulkexport.sandbox.SandboxSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code plan}: what each job would do and the exact submission it would send, with nothing sent and nothing recorded.
 * The body it prints is the body the emulator then receives when the job really runs, byte for byte (Coresignal's
 * es_dsl query, the shipped Datafiniti v4 search and v3 query); after that run
 * it says the job would be skipped and how to ask for a new run; a recurring job shows its next firings; every
 * shipped example job plans from the runnable jar, as a user would type it.
 */
class PlanCommandTest {
    @TempDir
    Path dir;

    @Test
    void should_print_the_submission_a_run_then_sends_and_send_nothing_itself() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults()).esDslJob("engineers")
                .job("nightly", "provider: coresignal\ndataset: employee_clean\nmethod: es_dsl\nlimit: 200\n"
                        + "schedule: \"0 0 6 * * ?\"\nrequest: "
                        + Path.of("config/queries/coresignal-python-engineers.json").toAbsolutePath() + "\n")) {
            JsonNode before = plan(app);
            assertThat(app.sandbox.requestLog()).as("nothing sent while planning").isEmpty();
            assertThat(dir.resolve("state")).as("nothing recorded: no state database made").doesNotExist();
            JsonNode engineers = job(before, "engineers");
            assertThat(engineers.path("decision").asText()).isEqualTo("submit now (paid)");
            assertThat(engineers.path("records").asText()).isEqualTo("every match (no limit in the job)");
            assertThat(engineers.path("destination").asText()).isEqualTo("file:" + dir.resolve("out"));
            JsonNode call = engineers.path("submission");
            assertThat(call.path("method").asText()).isEqualTo("POST");
            assertThat(call.path("url").asText()).isEqualTo(app.sandbox.baseUrl() + "/v2/data_requests/employee_clean/es_dsl");
            JsonNode nightly = job(before, "nightly");
            assertThat(nightly.path("decision").asText()).startsWith("submit at each firing");
            assertThat(nightly.path("records").asText()).isEqualTo("at most 200");
            assertThat(nightly.path("nextFirings")).hasSize(3)
                    .allSatisfy(firing -> assertThat(firing.asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:00:00Z"));
            assertThat(nightly.path("submission").path("body").asText()).contains("\"limit\":200");

            app.set("bulkexport.run-mode", "once");
            assertThat(app.run()).isZero();
            assertThat(app.sandbox.submissions()).as("the one-shot job ran").hasSize(1);
            assertThat(app.sandbox.submissions().get(0).body()).as("the body sent, against the body planned")
                    .isEqualTo(call.path("body").asText());

            int calls = app.sandbox.requestLog().size();
            JsonNode after = plan(app);
            assertThat(app.sandbox.requestLog()).as("nothing sent while planning").hasSize(calls);
            assertThat(job(after, "engineers").path("decision").asText()).startsWith("skip: last run")
                    .contains("ended DONE").contains("bulkexport.new-run=engineers");
            app.set("bulkexport.new-run", "engineers");
            assertThat(job(plan(app), "engineers").path("decision").asText()).isEqualTo("submit now (paid)");
        }
    }

    @Test
    void should_print_the_datafiniti_calls_the_shipped_jobs_then_send() throws Exception {
        System.setProperty("DATAFINITI_API_TOKEN", DatafinitiExportTest.TOKEN);
        try (DatafinitiSandbox sandbox = new DatafinitiSandbox(DatafinitiExportTest.small()).start();
             ExportHarness app = ExportHarness.against(dir, sandbox)) {
            app.set("bulkexport.datafiniti.base-url", sandbox.baseUrl())
                    .set("bulkexport.datafiniti.download-hosts", sandbox.storageHost())
                    .job("hotels", Files.readString(Path.of("config/jobs/datafiniti-hotels-austin.yaml")))
                    .job("products", Files.readString(Path.of("config/jobs/datafiniti-v3-products.yaml")));
            JsonNode planned = plan(app);
            assertThat(sandbox.requestLog()).as("nothing sent while planning").isEmpty();
            JsonNode v4 = job(planned, "hotels").path("submission");
            JsonNode v3 = job(planned, "products").path("submission");

            app.set("bulkexport.run-mode", "once");
            assertThat(app.run()).isZero();
            assertThat(sandbox.submissions()).hasSize(2);
            for (JsonNode sent : sandbox.submissions()) {
                if (sent.path("api").asText().equals("v4")) {
                    assertThat(sent.path("raw").asText()).as("the v4 search body sent, against the one planned")
                            .isEqualTo(v4.path("body").asText());
                } else {
                    assertThat(v3.path("url").asText()).as("the v3 query sent, against the one planned")
                            .endsWith("?" + sent.path("raw").asText());
                }
            }
        } finally {
            System.clearProperty("DATAFINITI_API_TOKEN");
        }
    }

    @Test
    void should_plan_an_incremental_job_its_since_and_its_budget_as_the_run_then_uses_them() throws Exception {
        System.setProperty("DATAFINITI_API_TOKEN", DatafinitiExportTest.TOKEN);
        try (DatafinitiSandbox sandbox = new DatafinitiSandbox(DatafinitiExportTest.small()).start();
             ExportHarness app = ExportHarness.against(dir, sandbox)) {
            app.set("bulkexport.datafiniti.base-url", sandbox.baseUrl())
                    .set("bulkexport.datafiniti.download-hosts", sandbox.storageHost())
                    .set("bulkexport.datafiniti.budget.records-per-day", "7")
                    .job("hotels", "provider: datafiniti\ndataset: businesses\nformat: csv\nlimit: 5\n"
                            + "query: \"categories:hotels AND dateUpdated:[${variable.since} TO *]\"\n"
                            + "since_initial: \"*\"\n");
            JsonNode first = job(plan(app), "hotels");
            assertThat(sandbox.requestLog()).as("nothing sent while planning").isEmpty();
            assertThat(first.path("since").asText()).isEqualTo("* (no DONE run yet)");
            assertThat(first.path("budget").asText())
                    .isEqualTo("fits: 7 of bulkexport.datafiniti.budget.records-per-day = 7 left");
            assertThat(first.path("submission").path("body").asText()).contains("dateUpdated:[* TO *]");

            app.set("bulkexport.run-mode", "once");
            assertThat(app.run()).isZero();
            assertThat(sandbox.submissions()).singleElement().satisfies(sent -> assertThat(sent.path("raw").asText())
                    .isEqualTo(first.path("submission").path("body").asText()));
            long landed = app.landedRecords("hotels").size();

            app.set("bulkexport.new-run", "hotels");
            JsonNode second = job(plan(app), "hotels");
            String since = second.path("since").asText();
            assertThat(since).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\(the start of its last DONE run, .*\\)");
            assertThat(second.path("submission").path("body").asText())
                    .contains("dateUpdated:[" + since.substring(0, 20) + " TO *]");
            assertThat(second.path("budget").asText()).as("the run counts the %d records it delivered", landed)
                    .isEqualTo(landed + 5 > 7 ? "would end OVER_BUDGET now: over budget:"
                            + " bulkexport.datafiniti.budget.records-per-day = 7, " + landed + " used today (UTC), "
                            + (7 - landed) + " left; this job may buy 5 records; the budget renews at "
                            + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS).plus(java.time.Duration.ofDays(1))
                            : "fits: " + (7 - landed) + " of bulkexport.datafiniti.budget.records-per-day = 7 left");

            app.set("bulkexport.since.hotels", "2026-01-01");
            assertThat(job(plan(app), "hotels").path("since").asText())
                    .isEqualTo("2026-01-01T00:00:00Z (bulkexport.since.hotels = 2026-01-01 (applied at the next"
                            + " submission))");
        } finally {
            System.clearProperty("DATAFINITI_API_TOKEN");
        }
    }

    @Test
    void should_plan_every_shipped_job_from_the_jar_as_a_user_types_it() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-Dbulkexport.state.url=jdbc:h2:file:" + dir.resolve("state/db"),
                "-Dbulkexport.output.dir=" + dir.resolve("out")));
        Path jar = ExportHarness.builtJar();
        if (jar != null) {
            command.addAll(List.of("-jar", jar.toString()));
        } else {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), BulkExportApp.class.getName()));
        }
        command.addAll(List.of("plan", "--json"));
        Process plan = new ProcessBuilder(command).directory(new File("."))
                .redirectOutput(dir.resolve("plan.json").toFile()).redirectError(dir.resolve("plan.err").toFile())
                .start();
        assertThat(plan.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(plan.exitValue()).as(Files.readString(dir.resolve("plan.err"))).isZero();
        JsonNode jobs = ExportHarness.JSON.readTree(dir.resolve("plan.json").toFile()).path("jobs");
        long shipped;
        try (var files = Files.list(Path.of("config/jobs"))) {
            shipped = files.filter(p -> p.toString().endsWith(".yaml")).count();
        }
        assertThat(jobs).hasSize((int) shipped).allSatisfy(job -> {
            assertThat(job.path("decision").asText()).isEqualTo("submit now (paid)");
            assertThat(job.path("submission").path("error").isMissingNode()).as(job.toString()).isTrue();
            assertThat(job.path("submission").path("url").asText()).startsWith("http://127.0.0.1:");
        });
        assertThat(dir.resolve("state")).as("nothing recorded").doesNotExist();
        assertThat(dir.resolve("out")).as("nothing written").doesNotExist();
    }

    /** Runs the app in plan mode with JSON output and reads what it printed. */
    private static JsonNode plan(ExportHarness app) throws Exception {
        app.set("bulkexport.run-mode", "plan").set("bulkexport.plan.format", "json");
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = app.run();
        } finally {
            System.setOut(out);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isZero();
        return ExportHarness.JSON.readTree(text.substring(text.indexOf("{\n  \"jobs\"")));
    }

    private static JsonNode job(JsonNode plan, String name) {
        for (JsonNode job : plan.path("jobs")) {
            if (job.path("job").asText().equals(name)) {
                return job;
            }
        }
        throw new AssertionError("no plan of job " + name + " in " + plan);
    }
}
