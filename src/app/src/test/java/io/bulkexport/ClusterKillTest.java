package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.bulkexport.sandbox.Fault;
import io.bulkexport.sandbox.LoggedRequest;
import io.bulkexport.sandbox.SandboxSettings;
import io.bulkexport.sandbox.Submission;
import io.bulkexport.state.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three instances of the app, processes of their own on one PostgreSQL database, export several one-shot jobs and a
 * recurring one while instances are killed with SIGKILL at random moments and fresh ones started. At the end: every
 * run's exact records, each once; one submission per one-shot job and per cron firing acted on; no run needing
 * attention but one whose instance was killed while submitting; no temporary file; and the configured rate held
 * across the instances, as the vendor saw it. The seed is printed; {@code -Dbulkexport.test.seed=N} replays the kills.
 */
class ClusterKillTest {
    private static final int RATE = 9;
    private static final int INSTANCES = 3;
    private static final List<String> ONE_SHOT = List.of("alpha", "beta", "gamma", "delta");
    private static final String CRON = "hourly";

    @TempDir
    Path dir;

    @Test
    void instances_killed_at_random_share_the_work_and_land_everything_exactly_once() throws Exception {
        long seed = Long.getLong("bulkexport.test.seed", new Random().nextLong());
        System.out.println("ClusterKillTest: seed " + seed + " (replay: -Dbulkexport.test.seed=" + seed + ")");
        Random random = new Random(seed);
        Optional<Path> bin = PostgresServer.binaries();
        assumeTrue(bin.isPresent() || System.getenv("BULKEXPORT_REQUIRE_POSTGRES") != null,
                "PostgreSQL is not installed");
        try (PostgresServer postgres = PostgresServer.start(bin.orElseThrow());
             ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults().withFilesPerRequest(4)
                     .withRecordsPerFile(1500).withRecordBytes(600).withReadyAfter(Duration.ofSeconds(2)))) {
            String url = postgres.createDatabase("cluster");
            // each job asks for a different number of records: its submissions are told apart by their limit
            Map<Long, String> jobByLimit = new HashMap<>();
            long limit = 4001;
            for (String job : ONE_SHOT) {
                oneShot(app, job, limit, null);
                jobByLimit.put(limit++, job);
            }
            oneShot(app, CRON, 999, "0/6 * * * * ?");
            jobByLimit.put(999L, CRON);
            app.set("bulkexport.state.url", url).set("bulkexport.run-mode", "service")
                    .set("bulkexport.coresignal.rate", String.valueOf(RATE))
                    .set("bulkexport.instance.lease-seconds", "4").set("bulkexport.instance.heartbeat-millis", "500")
                    .set("bulkexport.poll.interval-seconds", "0.5").set("bulkexport.poll.max-interval-seconds", "1");
            app.jvmOptions.add("-XX:TieredStopAtLevel=1");
            // slow downloads, so that kills land mid-file
            for (int i = 0; i < 60; i++) {
                app.sandbox.faults().onDownload(Fault.slowBody(32 * 1024, Duration.ofMillis(40)));
            }

            Map<String, Process> live = new HashMap<>();
            Set<String> killed = new HashSet<>();
            int started = 0;
            for (; started < INSTANCES; started++) {
                live.put("node-" + started, start(app, "node-" + started));
            }
            // a one-shot job killed between sending its submission and storing the answer rightly needs a person
            // (the vendor may have charged it) and is never sent again; the recurring job, firing every 6 s, is
            // killed mid-submission too, so the kills begin once the one-shot jobs hold their request ids
            long submitted = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!oneShotJobsSubmitted(url) && System.nanoTime() < submitted) {
                Thread.sleep(100);
            }
            assertThat(oneShotJobsSubmitted(url)).as("the one-shot jobs were submitted").isTrue();
            long until = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            while (System.nanoTime() < until) {
                Thread.sleep(1500 + random.nextInt(3000));
                List<String> names = new ArrayList<>(live.keySet());
                String victim = names.get(random.nextInt(names.size()));
                live.remove(victim).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                killed.add(victim);
                String fresh = "node-" + started++;
                live.put(fresh, start(app, fresh));
            }
            // the kills are over: the live instances finish the one-shot jobs (a dead one's lease runs out in 4 s)
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!oneShotJobsEnded(url) && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            for (Process instance : live.values()) {
                instance.destroy(); // SIGTERM: a graceful stop
            }
            for (Map.Entry<String, Process> instance : live.entrySet()) {
                assertThat(instance.getValue().waitFor(60, TimeUnit.SECONDS)).as(instance.getKey() + " stops").isTrue();
            }
            // whatever a killed instance left half-written is cleaned up by an instance that starts alone
            Thread.sleep(4500);
            app.set("bulkexport.run-mode", "once");
            Process last = start(app, "last");
            assertThat(last.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(last.exitValue()).as(log("last")).isZero();

            Map<String, List<Submission>> byJob = new HashMap<>();
            for (Submission submission : app.sandbox.submissions()) {
                byJob.computeIfAbsent(jobByLimit.get(submission.limit()), j -> new ArrayList<>()).add(submission);
            }
            for (String job : ONE_SHOT) {
                assertThat(byJob.get(job)).as("submissions of one-shot job " + job).hasSize(1);
                String requestId = byJob.get(job).get(0).requestId();
                assertThat(idsUnder(app.requestDirOf(job, requestId))).as("records of " + job)
                        .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(
                                app.sandbox.expectedRecordIds(requestId));
                assertThat(app.requestDirOf(job, requestId).resolve("_manifest.json")).exists();
            }
            List<Submission> cron = byJob.getOrDefault(CRON, List.of());
            assertThat(cron).as("the recurring job was submitted").isNotEmpty();
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                // a run per submission, but for a run whose instance was killed while submitting (needing attention):
                // its submission may or may not have reached the vendor
                int runs = count(s, "SELECT COUNT(*) FROM bulkexport_run WHERE job_name = '" + CRON + "'");
                int unknown = count(s, "SELECT COUNT(*) FROM bulkexport_run WHERE job_name = '" + CRON
                        + "' AND status = 'NEEDS_ATTENTION'");
                assertThat(cron.size()).as("cron submissions against its runs (" + unknown + " needing attention)")
                        .isBetween(runs - unknown, runs);
                assertThat(cron.size()).as("at most one submission per firing")
                        .isLessThanOrEqualTo(count(s, "SELECT COUNT(*) FROM bulkexport_firing WHERE job_name = '"
                                + CRON + "'"));
                try (ResultSet rs = s.executeQuery("SELECT job_name, owner FROM bulkexport_run WHERE status"
                        + " = 'NEEDS_ATTENTION'")) {
                    while (rs.next()) {
                        assertThat(killed).as("run of " + rs.getString(1) + " needs attention: its instance was"
                                + " killed while submitting").contains(rs.getString(2));
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT request_id FROM bulkexport_run WHERE job_name = '" + CRON
                        + "' AND status = 'DONE'")) {
                    while (rs.next()) {
                        String requestId = rs.getString(1);
                        assertThat(idsUnder(app.requestDirOf(CRON, requestId))).as("records of cron run " + requestId)
                                .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(
                                        app.sandbox.expectedRecordIds(requestId));
                    }
                }
            }
            try (Stream<Path> files = Files.walk(dir.resolve("out"))) {
                assertThat(files.filter(f -> f.getFileName().toString().endsWith(".part")))
                        .as("temporary files left").isEmpty();
            }
            // each instance counts a call from when it lets it through until a second after its answer, so the
            // shares (RATE together) bound what arrives at the vendor in any second, however long the sending took
            int busiest = busiest(app.sandbox.requestLog(), Duration.ofSeconds(1));
            System.out.println("ClusterKillTest: at most " + busiest + " vendor calls arrived in any second (limit "
                    + RATE + ")");
            assertThat(busiest).as("most vendor calls arriving in any one second").isLessThanOrEqualTo(RATE);
            System.out.println("ClusterKillTest: " + killed.size() + " kills, " + started + " starts, "
                    + app.sandbox.submissions().size() + " submissions, " + cron.size() + " cron runs, "
                    + app.sandbox.requestLog().size() + " vendor calls");
        }
    }

    private void oneShot(ExportHarness app, String job, long limit, String schedule) throws Exception {
        app.job(job, "provider: coresignal\ndataset: employee_clean\nmethod: es_dsl\nrequest: "
                + Path.of("config/queries/coresignal-python-engineers.json").toAbsolutePath() + "\nlimit: " + limit
                + (schedule == null ? "" : "\nschedule: \"" + schedule + "\"") + "\n");
    }

    private Process start(ExportHarness app, String name) throws Exception {
        app.set("bulkexport.instance.id", name);
        return app.spawn(name);
    }

    private boolean oneShotJobsSubmitted(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            return count(s, "SELECT COUNT(*) FROM bulkexport_run WHERE job_name IN ('" + String.join("','", ONE_SHOT)
                    + "') AND request_id IS NOT NULL") == ONE_SHOT.size();
        } catch (SQLException tablesNotYetMade) {
            return false;
        }
    }

    private boolean oneShotJobsEnded(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            return count(s, "SELECT COUNT(*) FROM bulkexport_run WHERE job_name IN ('" + String.join("','", ONE_SHOT)
                    + "') AND status IN ('DONE', 'FAILED', 'NEEDS_ATTENTION', 'INCOMPLETE')") == ONE_SHOT.size();
        }
    }

    private static int count(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static List<Long> idsUnder(Path requestDir) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (Stream<Path> files = Files.walk(requestDir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".jsonl")
                    && !f.getFileName().toString().endsWith(".quarantine.jsonl")).toList()) {
                for (String line : Files.readAllLines(file)) {
                    ids.add(ExportHarness.JSON.readTree(line).get("id").asLong());
                }
            }
        }
        return ids;
    }

    /** The most calls the vendor's API received in any window this long (arrivals, sliding). */
    private static int busiest(List<LoggedRequest> log, Duration window) {
        List<Long> arrivals = log.stream().filter(r -> r.kind() != null).map(LoggedRequest::arrivalNanos).sorted()
                .toList();
        int most = 0;
        int first = 0;
        for (int last = 0; last < arrivals.size(); last++) {
            while (arrivals.get(last) - arrivals.get(first) >= window.toNanos()) {
                first++;
            }
            most = Math.max(most, last - first + 1);
        }
        return most;
    }

    private String log(String name) throws Exception {
        return Files.readString(dir.resolve(name + ".log"));
    }
}
