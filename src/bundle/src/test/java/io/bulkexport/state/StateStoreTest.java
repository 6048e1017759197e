package io.bulkexport.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The state store's SQL on both databases it supports: embedded H2, and PostgreSQL (started by the test from the
 * installed package; CI installs it and sets BULKEXPORT_REQUIRE_POSTGRES so the PostgreSQL case cannot be skipped).
 */
class StateStoreTest {
    @RegisterExtension
    static final StateDatabases DATABASES = new StateDatabases();

    @TempDir
    Path dir;

    /**
     * A run of {@code job} downloading {@code files}, in a store just migrated, whose instance holds a lease of
     * {@code leaseMillis}.
     */
    private static Run downloading(StateStore store, long leaseMillis, String job, List<String> files) {
        store.migrate();
        store.leases().register(leaseMillis, false);
        Run run = TestRuns.create(store, job, "coresignal", null);
        store.markSubmitted(run.runId(), "req-" + job, Instant.ofEpochMilli(store.leases().millis()), 1000);
        assertThat(store.startDownloading(run.runId(), files)).isTrue();
        return run;
    }

    private HikariDataSource dataSource(String database) throws Exception {
        return DATABASES.dataSource(database, dir.resolve("state"), 10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void should_create_the_schema_once_when_instances_start_together_on_an_empty_database(String database)
            throws Exception {
        String url = DATABASES.url(database, dir.resolve("empty"));
        int instances = 6;
        List<HikariDataSource> pools = new ArrayList<>();
        ExecutorService starts = Executors.newFixedThreadPool(instances);
        try {
            CyclicBarrier together = new CyclicBarrier(instances);
            List<Future<?>> migrations = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                HikariDataSource pool = new HikariDataSource();
                pool.setJdbcUrl(url);
                pool.setMaximumPoolSize(1);
                pools.add(pool);
                StateStore store = new StateStore(pool, Clock.systemUTC());
                migrations.add(starts.submit(() -> {
                    together.await();
                    store.migrate();
                    return null;
                }));
            }
            for (Future<?> migration : migrations) {
                migration.get(60, TimeUnit.SECONDS); // throws if any instance failed
            }
            try (Connection c = pools.get(0).getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT version FROM bulkexport_schema")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(StateSchema.CURRENT);
                assertThat(rs.next()).as("one version row").isFalse();
            }
            StateStore store = new StateStore(pools.get(0), Clock.systemUTC());
            assertThat(TestRuns.create(store, "job", "coresignal", null).status()).isEqualTo(RunStatus.SUBMITTING);
        } finally {
            starts.shutdownNow();
            pools.forEach(HikariDataSource::close);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void should_leave_a_live_instances_runs_alone_and_take_over_once_its_lease_has_run_out(String database) throws Exception {
        Instant now = Instant.parse("2026-12-04T10:00:00Z");
        try (HikariDataSource ds = dataSource(database)) {
            StateStore a = new StateStore(ds, Clock.fixed(now, ZoneOffset.UTC), "a-" + database);
            a.migrate();
            a.leases().register(30_000, false);
            StateStore b = new StateStore(ds, Clock.fixed(now.plusSeconds(10), ZoneOffset.UTC), "b-" + database);
            b.leases().register(30_000, false);
            Run sending = TestRuns.create(a, "lease-job-1", "coresignal", null);
            Run fetching = TestRuns.create(a, "lease-job-2", "coresignal", null);
            a.markSubmitted(fetching.runId(), "req-lease", now, 1000);
            assertThat(a.startDownloading(fetching.runId(), List.of("f1"))).isTrue();
            assertThat(a.run(fetching.runId()).orElseThrow().owner()).isEqualTo("a-" + database);

            // a's lease is live for b: nothing of a's is settled, taken or re-queued
            assertThat(b.leases().live()).contains("a-" + database, "b-" + database);
            assertThat(ids(b.orphans(RunStatus.SUBMITTING))).doesNotContain(sending.runId());
            assertThat(b.abandonSubmission(sending.runId(), "?")).isFalse();
            assertThat(b.claimDownload(fetching.runId())).isFalse();
            assertThat(a.files().claim(fetching.runId(), "f1")).isPresent();
            assertThat(b.files().claim(fetching.runId(), "f1")).as("a live instance's file").isEmpty();
            assertThat(a.files().claim(fetching.runId(), "f1")).as("not twice by its own claimant either").isEmpty();

            // 31 s after a's last renewal its lease has run out: b settles the submission and takes the download
            StateStore later = new StateStore(ds, Clock.fixed(now.plusSeconds(31), ZoneOffset.UTC), "b-" + database);
            later.leases().renew(30_000);
            assertThat(later.leases().live()).doesNotContain("a-" + database);
            assertThat(ids(later.orphans(RunStatus.SUBMITTING))).contains(sending.runId());
            assertThat(later.abandonSubmission(sending.runId(), "process stopped")).isTrue();
            assertThat(later.run(sending.runId()).orElseThrow().status()).isEqualTo(RunStatus.NEEDS_ATTENTION);
            assertThat(later.claimDownload(fetching.runId())).isTrue();
            assertThat(later.files().claim(fetching.runId(), "f1")).as("a dead instance's file is claimed again").isPresent();
            assertThat(later.run(fetching.runId()).orElseThrow().owner()).isEqualTo("b-" + database);
            assertThat(a.claimDownload(fetching.runId())).as("b's now, and b is live").isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void should_refuse_to_land_or_fail_a_file_under_a_superseded_claim(String database) throws Exception {
        Instant now = Instant.parse("2026-12-06T10:00:00Z");
        try (HikariDataSource ds = dataSource(database)) {
            StateStore a = new StateStore(ds, Clock.fixed(now, ZoneOffset.UTC), "fence-a-" + database);
            Run run = downloading(a, 5_000, "fence-job", List.of("f1", "f2"));
            FileClaim stale = a.files().claim(run.runId(), "f1").orElseThrow();
            FileClaim staleF2 = a.files().claim(run.runId(), "f2").orElseThrow();

            // a stalls past its lease: b claims both files again, each under a newer token
            StateStore b = new StateStore(ds, Clock.fixed(now.plusSeconds(6), ZoneOffset.UTC), "fence-b-" + database);
            b.leases().register(5_000, false);
            FileClaim current = b.files().claim(run.runId(), "f1").orElseThrow();
            assertThat(current.epoch()).isGreaterThan(stale.epoch());
            FileClaim currentF2 = b.files().claim(run.runId(), "f2").orElseThrow();

            // a thaws: its lease does not quietly come back, and nothing of its stale attempts lands or fails a file
            StateStore thawed = new StateStore(ds, Clock.fixed(now.plusSeconds(7), ZoneOffset.UTC), "fence-a-" + database);
            assertThat(thawed.leases().renew(5_000)).as("a lapsed lease is not renewed").isFalse();
            List<String> published = new ArrayList<>();
            assertThat(thawed.files().land(stale, new FileLanded("stale", 1, 1, 0, "00", null),
                    () -> published.add("stale"))).isFalse();
            assertThat(thawed.files().failed(staleF2, FileStatus.FAILED, "stale failure")).isFalse();
            assertThat(published).as("a superseded attempt publishes nothing").isEmpty();
            assertThat(b.files().of(run.runId())).extracting(RunFile::status).containsOnly(FileStatus.PENDING);

            // the current claim lands, once
            assertThat(b.files().land(current, new FileLanded("job/f1.jsonl", 7, 70, 0, "ab", null),
                    () -> published.add("current"))).isTrue();
            assertThat(b.files().land(current, new FileLanded("again", 7, 70, 0, "ab", null),
                    () -> published.add("again"))).as("landed already").isFalse();
            assertThat(published).containsExactly("current");
            RunFile landed = b.files().of(run.runId()).get(0);
            assertThat(landed.status()).isEqualTo(FileStatus.DONE);
            assertThat(landed.outputPath()).isEqualTo("job/f1.jsonl");
            assertThat(landed.records()).isEqualTo(7);

            // a publish that fails records nothing, and the claim still holds for another try
            assertThatThrownBy(() -> b.files().land(currentF2, new FileLanded("x", 1, 1, 0, "00", null), () -> {
                throw new java.io.IOException("disk full");
            })).hasMessageContaining("disk full");
            assertThat(b.files().of(run.runId()).get(1).status()).isEqualTo(FileStatus.PENDING);
            assertThat(b.files().land(currentF2, new FileLanded("job/f2.jsonl", 1, 1, 0, "00", null), () -> { })).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void should_make_a_takeover_wait_for_a_landing_under_way_and_then_find_the_file_landed(String database)
            throws Exception {
        Instant now = Instant.parse("2026-12-06T10:00:00Z");
        try (HikariDataSource ds = dataSource(database)) {
            StateStore a = new StateStore(ds, Clock.fixed(now, ZoneOffset.UTC), "race-a-" + database);
            Run run = downloading(a, 5_000, "race-job", List.of("f1"));
            FileClaim claim = a.files().claim(run.runId(), "f1").orElseThrow();
            // b sees a's lease run out while a is landing the file (a's clock stands still: it was frozen)
            StateStore b = new StateStore(ds, Clock.fixed(now.plusSeconds(6), ZoneOffset.UTC), "race-b-" + database);
            b.leases().register(5_000, false);

            java.util.concurrent.CountDownLatch publishing = new java.util.concurrent.CountDownLatch(1);
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                Future<Boolean> landing = threads.submit(() -> a.files().land(claim,
                        new FileLanded("job/f1.jsonl", 3, 30, 0, "cd", null), () -> {
                            publishing.countDown();
                            Thread.sleep(1500); // the rename or upload completion, while the row is held
                        }));
                assertThat(publishing.await(10, TimeUnit.SECONDS)).isTrue();
                long started = System.nanoTime();
                Future<Optional<FileClaim>> takeover = threads.submit(() -> b.files().claim(run.runId(), "f1"));
                assertThat(landing.get(30, TimeUnit.SECONDS)).as("the landing under way wins").isTrue();
                assertThat(takeover.get(30, TimeUnit.SECONDS)).as("the takeover finds the file landed").isEmpty();
                assertThat(System.nanoTime() - started).as("the takeover waited for the landing")
                        .isGreaterThan(TimeUnit.MILLISECONDS.toNanos(1000));
            } finally {
                threads.shutdownNow();
            }
            assertThat(b.files().of(run.runId()).get(0).status()).isEqualTo(FileStatus.DONE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void should_end_a_run_once_with_its_manifest_written_under_the_runs_lock(String database) throws Exception {
        Instant now = Instant.parse("2026-12-06T10:00:00Z");
        try (HikariDataSource ds = dataSource(database)) {
            StateStore store = new StateStore(ds, Clock.fixed(now, ZoneOffset.UTC), "end-" + database);
            Run run = downloading(store, 30_000, "end-job", List.of("f1", "f2"));
            List<String> manifests = new java.util.concurrent.CopyOnWriteArrayList<>();
            StateStore.RunEnding write = (r, files) -> manifests.add(files.size() + " files");
            FileClaim f1 = store.files().claim(run.runId(), "f1").orElseThrow();
            store.files().land(f1, new FileLanded("p1", 1, 1, 0, "00", null), () -> { });
            assertThat(store.endRun(run.runId(), write, files -> "?")).as("f2 is pending").isEmpty();
            FileClaim f2 = store.files().claim(run.runId(), "f2").orElseThrow();
            store.files().land(f2, new FileLanded("p2", 1, 1, 0, "00", null), () -> { });

            ExecutorService threads = Executors.newFixedThreadPool(4);
            try {
                List<Future<Optional<RunStatus>>> enders = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    enders.add(threads.submit(() -> store.endRun(run.runId(), write, files -> "?")));
                }
                int ended = 0;
                for (Future<Optional<RunStatus>> ender : enders) {
                    ended += ender.get(30, TimeUnit.SECONDS).map(status -> 1).orElse(0);
                }
                assertThat(ended).as("callers that ended the run").isEqualTo(1);
            } finally {
                threads.shutdownNow();
            }
            assertThat(manifests).containsExactly("2 files");
            assertThat(store.run(run.runId()).orElseThrow().status()).isEqualTo(RunStatus.DONE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void should_hand_runs_back_at_once_on_a_graceful_stop(String database) throws Exception {
        Instant now = Instant.parse("2026-12-04T11:00:00Z");
        try (HikariDataSource ds = dataSource(database)) {
            StateStore a = new StateStore(ds, Clock.fixed(now, ZoneOffset.UTC), "stop-a-" + database);
            a.migrate();
            a.leases().register(30_000, false);
            StateStore b = new StateStore(ds, Clock.fixed(now.plusSeconds(1), ZoneOffset.UTC), "stop-b-" + database);
            b.leases().register(30_000, false);
            Run run = TestRuns.create(a, "handed-back", "coresignal", null);
            a.markSubmitted(run.runId(), "req-hand", now, 1000);
            a.startDownloading(run.runId(), List.of("f1", "f2"));
            assertThat(b.claimDownload(run.runId())).isFalse();

            a.leases().release();
            assertThat(b.leases().live()).doesNotContain("stop-a-" + database);
            assertThat(b.claimDownload(run.runId())).as("no wait for the lease to run out").isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void should_give_each_due_check_orphaned_download_and_file_to_one_instance(String database) throws Exception {
        Instant now = Instant.parse("2026-12-04T12:00:00Z");
        try (HikariDataSource ds = dataSource(database)) {
            StateStore setup = new StateStore(ds, Clock.fixed(now, ZoneOffset.UTC), "gone-" + database);
            setup.migrate();
            List<String> polls = new ArrayList<>();
            List<String> downloads = new ArrayList<>();
            Run shared = TestRuns.create(setup, "claim-files", "coresignal", null);
            setup.markSubmitted(shared.runId(), "req-files", now, 1000);
            List<String> fileNames = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                fileNames.add("part-" + i);
            }
            setup.startDownloading(shared.runId(), fileNames);
            for (int i = 0; i < 20; i++) {
                Run waiting = TestRuns.create(setup, "claim-poll-" + i, "coresignal", null);
                setup.markSubmitted(waiting.runId(), "req-p" + i, now.minusSeconds(1), 1000);
                polls.add(waiting.runId());
                Run fetching = TestRuns.create(setup, "claim-dl-" + i, "coresignal", null);
                setup.markSubmitted(fetching.runId(), "req-d" + i, now, 1000);
                setup.startDownloading(fetching.runId(), List.of("f"));
                downloads.add(fetching.runId());
            }
            int instances = 4;
            ExecutorService threads = Executors.newFixedThreadPool(instances);
            try {
                CyclicBarrier together = new CyclicBarrier(instances);
                List<Future<List<String>>> claimed = new ArrayList<>();
                for (int i = 0; i < instances; i++) {
                    StateStore store = new StateStore(ds, Clock.fixed(now, ZoneOffset.UTC), "claim-" + i + "-" + database);
                    store.leases().register(30_000, false);
                    claimed.add(threads.submit(() -> {
                        together.await();
                        List<String> mine = new ArrayList<>();
                        for (Run due : store.duePolls(now)) {
                            if (polls.contains(due.runId())
                                    && store.claimPoll(due.runId(), due.nextPollAt(), now.plusSeconds(120))) {
                                mine.add(due.runId());
                            }
                        }
                        for (String id : downloads) {
                            if (store.claimDownload(id)) {
                                mine.add(id);
                            }
                        }
                        for (String file : fileNames) {
                            if (store.files().claim(shared.runId(), file).isPresent()) {
                                mine.add(file);
                            }
                        }
                        return mine;
                    }));
                }
                List<String> all = new ArrayList<>();
                for (Future<List<String>> one : claimed) {
                    all.addAll(one.get(60, TimeUnit.SECONDS));
                }
                List<String> expected = new ArrayList<>(polls);
                expected.addAll(downloads);
                expected.addAll(fileNames);
                assertThat(all).as("every check, download and file claimed once").doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(expected);
                assertThat(ids(setup.runsWithUnclaimedFiles())).doesNotContain(shared.runId());
            } finally {
                threads.shutdownNow();
            }
        }
    }

    private static List<String> ids(List<Run> runs) {
        return runs.stream().map(Run::runId).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void should_refuse_a_database_of_a_newer_release(String database) throws Exception {
        try (HikariDataSource ds = dataSource(database)) {
            store(ds, Instant.now());
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("UPDATE bulkexport_schema SET version = " + (StateSchema.CURRENT + 1));
            }
            try {
                assertThatThrownBy(() -> new StateStore(ds, Clock.systemUTC()).migrate())
                        .isInstanceOf(StateStoreException.class)
                        .hasMessageContaining("schema version " + (StateSchema.CURRENT + 1) + ", newer than this"
                                + " release's " + StateSchema.CURRENT + ": upgrade bulk-export");
            } finally {
                try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                    s.execute("UPDATE bulkexport_schema SET version = " + StateSchema.CURRENT);
                }
            }
        }
    }

    private static StateStore store(HikariDataSource ds, Instant now) {
        StateStore store = new StateStore(ds, Clock.fixed(now, ZoneOffset.UTC));
        store.migrate();
        store.migrate(); // creating the tables twice is harmless
        return store;
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void should_move_a_run_through_its_life_with_compare_and_set(String database) throws Exception {
        try (HikariDataSource ds = dataSource(database)) {
            Instant t0 = Instant.parse("2026-11-22T10:00:00Z");
            StateStore store = store(ds, t0);
            String job = "job-" + database + "-" + System.nanoTime();

            Run run = TestRuns.create(store, job, "coresignal", null);
            assertThat(run.status()).isEqualTo(RunStatus.SUBMITTING);
            assertThat(store.latestRun(job)).map(Run::runId).contains(run.runId());
            assertThat(store.activeJobNames()).as("submitting is active").contains(job);

            assertThat(store.markSubmitted(run.runId(), "req-1", t0.plusSeconds(30), 30_000)).isTrue();
            assertThat(store.markSubmitted(run.runId(), "req-2", t0, 1)).as("only from SUBMITTING").isFalse();
            assertThat(store.run(run.runId()).orElseThrow().requestId()).isEqualTo("req-1");

            assertThat(store.duePolls(t0.plusSeconds(29))).extracting(Run::runId).doesNotContain(run.runId());
            assertThat(store.duePolls(t0.plusSeconds(30))).extracting(Run::runId).contains(run.runId());
            assertThat(store.reschedulePoll(run.runId(), t0.plusSeconds(75), 45_000, "still processing")).isTrue();
            Run waiting = store.run(run.runId()).orElseThrow();
            assertThat(waiting.pollCount()).isEqualTo(1);
            assertThat(waiting.nextPollAt()).isEqualTo(t0.plusSeconds(75));

            assertThat(store.startDownloading(run.runId(), List.of("json/b.gz", "json/a.gz", "json/b.gz"))).isTrue();
            assertThat(store.startDownloading(run.runId(), List.of("json/c.gz"))).as("only once").isFalse();
            assertThat(store.files().of(run.runId())).extracting(RunFile::fileName).containsExactly("json/b.gz", "json/a.gz");

            store.files().attempted(run.runId(), "json/a.gz");
            assertThat(store.files().land(store.files().claim(run.runId(), "json/a.gz").orElseThrow(),
                    new FileLanded("job/req-1/json/a.jsonl", 10, 1234, 1, "ab".repeat(32), null), () -> { })).isTrue();
            assertThat(store.files().failed(store.files().claim(run.runId(), "json/b.gz").orElseThrow(), FileStatus.FAILED,
                    "connection reset")).isTrue();
            List<RunFile> files = store.files().of(run.runId());
            assertThat(files.get(1).status()).isEqualTo(FileStatus.DONE);
            assertThat(files.get(1).records()).isEqualTo(10);
            assertThat(files.get(1).attempts()).isEqualTo(1);
            assertThat(files.get(0).status()).isEqualTo(FileStatus.FAILED);
            assertThat(files.get(0).message()).isEqualTo("connection reset");

            assertThat(store.activeJobNames()).as("downloading is active").contains(job);
            assertThat(store.transition(run.runId(), RunStatus.DOWNLOADING, RunStatus.INCOMPLETE, "1 failed")).isTrue();
            assertThat(store.activeJobNames()).as("an ended run is not").doesNotContain(job);
            assertThat(store.transition(run.runId(), RunStatus.DOWNLOADING, RunStatus.DONE, null)).isFalse();
            assertThat(store.files().retryFailed(run.runId())).isEqualTo(1);
            assertThat(store.files().of(run.runId()).get(0).status()).isEqualTo(FileStatus.PENDING);
            Run ended = store.run(run.runId()).orElseThrow();
            assertThat(ended.status()).isEqualTo(RunStatus.INCOMPLETE);
            assertThat(ended.finishedAt()).isEqualTo(t0);
            assertThat(store.runsIn(List.of(RunStatus.INCOMPLETE))).extracting(Run::runId).contains(run.runId());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void should_keep_a_client_generated_request_id_from_the_start(String database) throws Exception {
        try (HikariDataSource ds = dataSource(database)) {
            StateStore store = store(ds, Instant.parse("2026-11-22T10:00:00Z"));
            String job = "oauth-" + database + "-" + System.nanoTime();
            Run run = TestRuns.create(store, job, "requests", "3f0c2b1e-8a7d-4c55-9b1e-2f6a0d9e4c11");
            assertThat(run.status()).isEqualTo(RunStatus.SUBMITTING);
            assertThat(run.requestId()).isEqualTo("3f0c2b1e-8a7d-4c55-9b1e-2f6a0d9e4c11");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void should_keep_the_destination_a_run_was_first_given(String database) throws Exception {
        try (HikariDataSource ds = dataSource(database)) {
            StateStore store = store(ds, Instant.parse("2026-11-22T10:00:00Z"));
            Run run = TestRuns.create(store, "dest-" + database + "-" + System.nanoTime(), "coresignal", null);
            assertThat(store.destination(run.runId(), "file:/data/out")).isEqualTo("file:/data/out");
            assertThat(store.destination(run.runId(), "s3://lake/x (gzip)")).isEqualTo("file:/data/out");
            Run other = TestRuns.create(store, "dest-" + database + "-" + System.nanoTime(), "coresignal", null);
            assertThat(store.destination(other.runId(), "s3://lake/x (gzip)")).isEqualTo("s3://lake/x (gzip)");
        }
    }
}
