package io.bulkexport.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The landed events' outbox on both databases: due with the landing, claimed once, due again when its deliverer dies. */
class HookEventsTest {
    @RegisterExtension
    static final StateDatabases DATABASES = new StateDatabases();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void an_event_is_due_with_its_landing_claimed_once_and_due_again_when_its_deliverer_dies(String database)
            throws Exception {
        try (HikariDataSource ds = DATABASES.dataSource(database, dir.resolve("state"), 10)) {
            StateStore a = new StateStore(ds, Clock.systemUTC(), "a");
            StateStore b = new StateStore(ds, Clock.systemUTC(), "b");
            a.migrate();
            a.leases().register(60_000, false);
            b.leases().register(60_000, false);
            Run run = TestRuns.create(a, "job", "coresignal", null);
            a.markSubmitted(run.runId(), "req-1", Instant.now(), 1000);
            a.startDownloading(run.runId(), List.of("f1"));
            assertThat(a.hookEvents().due(10)).as("nothing landed yet").isEmpty();
            FileClaim claim = a.files().claim(run.runId(), "f1").orElseThrow();
            a.files().land(claim, new FileLanded("job/req-1/f1.jsonl", 7, 70, 1, "ab", null), () -> { });

            List<HookEvents.Due> due = b.hookEvents().due(10);
            assertThat(due).singleElement().satisfies(event -> {
                assertThat(event.kind()).isEqualTo(HookEvents.Kind.FILE_LANDED);
                assertThat(event.records()).isEqualTo(7);
                assertThat(event.eventId()).isEqualTo(HookEvents.id(HookEvents.Kind.FILE_LANDED, run.runId(), "f1"));
            });
            Instant until = Instant.now().plusSeconds(60);
            assertThat(a.hookEvents().claim(due.get(0), until)).isTrue();
            assertThat(b.hookEvents().claim(due.get(0), until)).as("claimed once").isFalse();
            assertThat(b.hookEvents().due(10)).as("a's while its lease lives").isEmpty();

            // a dies: its claim is due again at once, for b, which delivers it
            a.leases().release();
            List<HookEvents.Due> again = b.hookEvents().due(10);
            assertThat(again).hasSize(1);
            Instant mine = Instant.now().plusSeconds(60);
            assertThat(b.hookEvents().claim(again.get(0), mine)).isTrue();
            b.hookEvents().delivered(again.get(0), mine);
            assertThat(b.hookEvents().due(10)).isEmpty();
            assertThat(b.hookEvents().undelivered()).isZero();

            // the run ends DONE: its event is due, and a failed delivery is due again later, not now
            assertThat(b.endRun(run.runId(), (r, files) -> { }, files -> "x")).contains(RunStatus.DONE);
            HookEvents.Due ended = b.hookEvents().due(10).get(0);
            assertThat(ended.kind()).isEqualTo(HookEvents.Kind.RUN_LANDED);
            assertThat(ended.files()).isEqualTo(1);
            Instant claimed = Instant.now().plusSeconds(60);
            assertThat(b.hookEvents().claim(ended, claimed)).isTrue();
            b.hookEvents().failed(ended, claimed, Instant.now().plusSeconds(30));
            assertThat(b.hookEvents().due(10)).isEmpty();
            assertThat(b.hookEvents().undelivered()).isEqualTo(1);
        }
    }
}
