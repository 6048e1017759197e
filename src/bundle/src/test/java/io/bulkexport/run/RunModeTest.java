package io.bulkexport.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariDataSource;
import io.bulkexport.state.Run;
import io.bulkexport.state.TestRuns;
import io.bulkexport.state.RunStatus;
import io.bulkexport.state.StateStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Once mode stops as soon as the state store ends the last run, not at its next periodic look: the periodic check is
 * set to a minute here, so only the store's notice can stop it within the test's wait.
 */
class RunModeTest {
    private static final long CHECK_MILLIS = 60_000;

    @TempDir
    Path dir;

    private HikariDataSource dataSource;
    private StateStore store;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicInteger stops = new AtomicInteger();

    @BeforeEach
    void openStore() {
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl("jdbc:h2:file:" + dir.resolve("state").toAbsolutePath() + ";WRITE_DELAY=0");
        store = new StateStore(dataSource, Clock.systemUTC());
        store.migrate();
    }

    @AfterEach
    void closeStore() {
        dataSource.close();
    }

    private RunMode onceMode(String... jobNames) {
        Jobs jobs = new Jobs() {
            @Override
            public Set<String> onceJobNames() {
                return Set.of(jobNames);
            }
        };
        return new RunMode(true, store, jobs, code -> {
            stops.incrementAndGet();
            stopped.countDown();
        }, CHECK_MILLIS);
    }

    @Test
    void stops_with_zero_when_the_last_run_is_done() throws Exception {
        RunMode mode = onceMode("a", "b");
        Run a = downloading("a");
        Run b = downloading("b");
        mode.startupDone();

        store.transition(a.runId(), RunStatus.DOWNLOADING, RunStatus.DONE, null);
        assertThat(stopped.await(300, TimeUnit.MILLISECONDS)).as("stopped while b is still downloading").isFalse();

        store.transition(b.runId(), RunStatus.DOWNLOADING, RunStatus.DONE, null);
        assertThat(stopped.await(10, TimeUnit.SECONDS)).as("stopped once b is done").isTrue();
        assertThat(mode.exitCode()).isZero();
    }

    @Test
    void stops_once_with_one_when_a_run_fails() throws Exception {
        RunMode mode = onceMode("a");
        Run a = TestRuns.create(store, "a", "coresignal", null);
        mode.startupDone();
        assertThat(stopped.await(300, TimeUnit.MILLISECONDS)).as("stopped while a is being submitted").isFalse();

        store.transition(a.runId(), RunStatus.SUBMITTING, RunStatus.FAILED, "insufficient credits");
        store.transition(a.runId(), RunStatus.FAILED, RunStatus.NEEDS_ATTENTION, "ended twice"); // a second notice
        assertThat(stopped.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(200);
        assertThat(stops).hasValue(1);
        assertThat(mode.exitCode()).isEqualTo(1);
    }

    @Test
    void stops_only_after_the_last_run_whichever_ends_first() throws Exception {
        RunMode mode = onceMode("a", "b", "c");
        Run a = downloading("a");
        Run b = downloading("b");
        Run c = downloading("c");
        mode.startupDone();
        Thread.sleep(200); // the first check has looked at the active runs

        // the newest first (the one the check watches), then the oldest
        for (Run run : List.of(c, a)) {
            store.transition(run.runId(), RunStatus.DOWNLOADING, RunStatus.DONE, null);
            assertThat(stopped.await(300, TimeUnit.MILLISECONDS)).as("stopped before b is done").isFalse();
        }
        store.transition(b.runId(), RunStatus.DOWNLOADING, RunStatus.FAILED, "expired");
        assertThat(stopped.await(10, TimeUnit.SECONDS)).as("stopped once b has ended").isTrue();
        assertThat(mode.exitCode()).isEqualTo(1);
    }

    @Test
    void a_run_of_a_job_not_its_own_does_not_hold_it_up() throws Exception {
        RunMode mode = onceMode("a");
        downloading("recurring-of-another-instance");
        Run a = downloading("a");
        mode.startupDone();

        store.transition(a.runId(), RunStatus.DOWNLOADING, RunStatus.DONE, null);
        assertThat(stopped.await(10, TimeUnit.SECONDS)).as("stopped once a is done").isTrue();
        assertThat(mode.exitCode()).isZero();
    }

    private Run downloading(String job) {
        Run run = TestRuns.create(store, job, "coresignal", null);
        store.markSubmitted(run.runId(), "req-" + job, Instant.now(), 1000);
        store.startDownloading(run.runId(), List.of("f1"));
        return run;
    }
}
