package io.bulkexport.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import io.bulkexport.state.Budgets.Budget;
import io.bulkexport.state.Budgets.Period;
import io.bulkexport.state.Budgets.Spend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Budgets and incremental cursors in the ledger, on H2 and on PostgreSQL: what counts against a budget, and that
 * instances deciding at once never spend more than it holds.
 */
class BudgetsTest {
    @RegisterExtension
    static final StateDatabases DATABASES = new StateDatabases();

    @TempDir
    Path dir;

    private HikariDataSource dataSource(String database) throws Exception {
        return DATABASES.dataSource(database, dir.resolve("state"), 12);
    }

    private static Spend spend(long records, Budget... budgets) {
        return new Spend("coresignal", records, List.of(budgets), null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void concurrent_submissions_of_many_jobs_never_spend_more_than_the_budget(String database) throws Exception {
        try (HikariDataSource ds = dataSource(database)) {
            StateStore store = new StateStore(ds, Clock.systemUTC(), "i1");
            store.migrate();
            Budget daily = new Budget("coresignal", Period.DAY, 5_000);
            int jobs = 10;
            ExecutorService threads = Executors.newFixedThreadPool(jobs);
            try {
                CyclicBarrier together = new CyclicBarrier(jobs);
                List<Future<Run>> starts = new ArrayList<>();
                for (int i = 0; i < jobs; i++) {
                    String job = "job-" + i;
                    // each job's own store, as each instance has its own
                    StateStore instance = new StateStore(ds, Clock.systemUTC(), "i" + i);
                    starts.add(threads.submit(() -> {
                        together.await();
                        return instance.startRun(job, "coresignal", null, null, spend(1_000, daily)).orElseThrow();
                    }));
                }
                List<Run> runs = new ArrayList<>();
                for (Future<Run> start : starts) {
                    runs.add(start.get(60, TimeUnit.SECONDS));
                }
                assertThat(runs).filteredOn(run -> run.status() == RunStatus.SUBMITTING).hasSize(5);
                assertThat(runs).filteredOn(run -> run.status() == RunStatus.OVER_BUDGET).hasSize(5)
                        .allSatisfy(run -> assertThat(run.message()).contains(
                                "bulkexport.coresignal.budget.records-per-day = 5000, 5000 used today (UTC), 0 left;"
                                        + " this job may buy 1000 records"));
            } finally {
                threads.shutdownNow();
            }
            assertThat(store.budgets().uses(List.of(daily))).singleElement()
                    .satisfies(use -> assertThat(use.left()).isZero());
        }
    }

    @Test
    void a_run_counts_its_reservation_then_what_it_delivered_and_a_refused_one_counts_nothing() throws Exception {
        try (HikariDataSource ds = dataSource("h2")) {
            StateStore store = new StateStore(ds, Clock.systemUTC(), "i1");
            store.migrate();
            store.leases().register(60_000, false);
            Budget all = new Budget(Budgets.ALL, Period.MONTH, 10_000);
            Run done = store.startRun("a", "coresignal", null, null, spend(3_000, all)).orElseThrow();
            Run refused = store.startRun("b", "coresignal", null, null, spend(2_000, all)).orElseThrow();
            assertThat(used(store, all)).isEqualTo(5_000);

            // the vendor refused b's submission for sure: nothing charged, nothing counted
            store.transition(refused.runId(), RunStatus.SUBMITTING, RunStatus.FAILED, "refused");
            assertThat(used(store, all)).isEqualTo(3_000);

            // a delivered 1,200 records (1,150 landed and 50 quarantined) of the 3,000 it could have bought
            store.markSubmitted(done.runId(), "req-a", Instant.now(), 1000);
            store.startDownloading(done.runId(), List.of("f1"));
            FileClaim claim = store.files().claim(done.runId(), "f1").orElseThrow();
            store.files().land(claim, new FileLanded("out/f1", 1_150, 10, 50, "00", null), () -> { });
            assertThat(store.endRun(done.runId(), (run, files) -> { }, files -> "x")).contains(RunStatus.DONE);
            assertThat(used(store, all)).isEqualTo(1_200);

            // every budget the spend touches must hold it; a run refused for its budget counts nothing
            Budget daily = new Budget("coresignal", Period.DAY, 9_000);
            assertThat(store.startRun("c", "coresignal", null, null, spend(8_900, all, daily)).orElseThrow()
                    .status()).isEqualTo(RunStatus.OVER_BUDGET);
            assertThat(store.startRun("d", "coresignal", null, null, spend(7_801, all, daily)).orElseThrow()
                    .status()).isEqualTo(RunStatus.OVER_BUDGET);
            assertThat(store.startRun("e", "coresignal", null, null, spend(7_800, all, daily)).orElseThrow()
                    .status()).isEqualTo(RunStatus.SUBMITTING);
            assertThat(used(store, daily)).isEqualTo(9_000);
        }
    }

    @Test
    void a_credit_floor_counts_what_was_submitted_since_the_vendor_last_reported() throws Exception {
        try (HikariDataSource ds = dataSource("h2")) {
            StateStore store = new StateStore(ds, Clock.systemUTC(), "i1");
            store.migrate();
            Spend threeThousand = new Spend("coresignal", 3_000, List.of(), 1_000L);
            // no balance reported yet: nothing to go by
            assertThat(store.startRun("a", "coresignal", null, null, threeThousand).orElseThrow().status())
                    .isEqualTo(RunStatus.SUBMITTING);
            store.budgets().creditsReported("coresignal", 7_500);
            Thread.sleep(5);
            // 7,500 - 3,000 = 4,500 ≥ 1,000
            assertThat(store.startRun("b", "coresignal", null, null, threeThousand).orElseThrow().status())
                    .isEqualTo(RunStatus.SUBMITTING);
            // 7,500 - 3,000 (b, since the report) - 3,000 = 1,500 ≥ 1,000
            assertThat(store.startRun("c", "coresignal", null, null, threeThousand).orElseThrow().status())
                    .isEqualTo(RunStatus.SUBMITTING);
            // 7,500 - 6,000 - 3,000 < 1,000
            Run refused = store.startRun("d", "coresignal", null, null, threeThousand).orElseThrow();
            assertThat(refused.status()).isEqualTo(RunStatus.OVER_BUDGET);
            assertThat(refused.message()).contains("coresignal reported 7500 credits left",
                    "6000 records submitted since", "bulkexport.coresignal.budget.credits-floor = 1000");
        }
    }

    @Test
    void the_incremental_cursor_moves_only_when_a_run_ends_done_and_a_reset_applies_once() throws Exception {
        try (HikariDataSource ds = dataSource("h2")) {
            StateStore store = new StateStore(ds, Clock.systemUTC(), "i1");
            store.migrate();
            store.leases().register(60_000, false);
            assertThat(store.since().of("daily")).isEmpty();
            Run first = store.startRun("daily", "datafiniti", null, null).orElseThrow();
            store.markSubmitted(first.runId(), "r1", Instant.now(), 1000);
            store.startDownloading(first.runId(), List.of("f"));
            FileClaim claim = store.files().claim(first.runId(), "f").orElseThrow();
            store.files().land(claim, new FileLanded("out/f", 1, 1, 0, "00", null), () -> { });
            store.endRun(first.runId(), (run, files) -> { }, files -> "x");
            assertThat(store.since().of("daily")).contains(first.createdAt());

            Run failed = store.startRun("daily", "datafiniti", null, first.runId()).orElseThrow();
            store.transition(failed.runId(), RunStatus.SUBMITTING, RunStatus.FAILED, "vendor failed it");
            assertThat(store.since().of("daily")).as("a failed run leaves it").contains(first.createdAt());

            Instant reset = Instant.parse("2026-01-01T00:00:00Z");
            assertThat(store.since().reset("daily", "2026-01-01T00:00:00Z", reset)).isTrue();
            assertThat(store.since().of("daily")).contains(reset);
            assertThat(store.since().reset("daily", "2026-01-01T00:00:00Z", reset)).as("applied once").isFalse();
            assertThat(store.since().reset("daily", SinceCursors.NONE, null)).isTrue();
            assertThat(store.since().of("daily")).isEmpty();
        }
    }

    @Test
    void windows_are_utc_days_and_calendar_months() {
        Instant now = Instant.parse("2026-12-07T23:59:59Z");
        assertThat(Period.DAY.window(now)).containsExactly(Instant.parse("2026-12-07T00:00:00Z"),
                Instant.parse("2026-12-08T00:00:00Z"));
        assertThat(Period.MONTH.window(now)).containsExactly(Instant.parse("2026-12-01T00:00:00Z"),
                Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(now.atOffset(ZoneOffset.UTC).getDayOfMonth()).isEqualTo(7);
    }

    private static long used(StateStore store, Budget budget) {
        return store.budgets().uses(List.of(budget)).get(0).used();
    }
}
