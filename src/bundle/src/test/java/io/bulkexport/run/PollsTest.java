package io.bulkexport.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.logging.Logger;

import javax.sql.DataSource;

import io.bulkexport.job.JobDefinition;
import io.bulkexport.metrics.ExportMeters;
import io.bulkexport.state.Run;
import io.bulkexport.state.TestRuns;
import io.bulkexport.state.StateStore;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A status check this instance claimed whose run could not even be read (the state database failed at that moment)
 * is made due again once the database answers, not held back by its claim for {@link Polls#POLL_CLAIM}.
 */
class PollsTest {
    @TempDir
    Path dir;

    @Test
    void should_make_a_claimed_check_due_again_when_its_run_could_not_be_read() throws Exception {
        FlakyDataSource database = new FlakyDataSource(dir);
        StateStore store = new StateStore(database, Clock.systemUTC(), "me");
        store.migrate();
        Run run = TestRuns.create(store, "watched", "coresignal", null);
        store.markSubmitted(run.runId(), "req-1", Instant.now().minusSeconds(1), 1000);
        Jobs jobs = new Jobs() {
            @Override
            public boolean contains(String name) {
                return true;
            }

            @Override
            public JobDefinition get(String name) {
                throw new IllegalStateException("not read in this test");
            }
        };
        PollPolicy poll = new PollPolicy(Duration.ofSeconds(1), 1.5, Duration.ofSeconds(10), Duration.ofHours(1));
        Polls polls = new Polls(store, jobs, poll, Clock.systemUTC(), ExportMeters.NONE,
                new Webhooks(store, null, Duration.ofMinutes(15), Duration.ZERO, provider -> false, ExportMeters.NONE),
                new RunsInProcess());
        assertThat(polls.duePolls()).containsExactly(run.runId());

        Exchange check = new DefaultExchange(new DefaultCamelContext());
        check.getMessage().setBody(run.runId());
        database.down = true;
        assertThatThrownBy(() -> polls.load(check)).as("the run cannot be read");
        check.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("the database went away"));
        polls.pollFailed(check);

        database.down = false;
        assertThat(polls.duePolls()).as("due again at the next tick, not after the claim's two minutes")
                .containsExactly(run.runId());
    }

    /** An H2 database that refuses connections while {@code down}. */
    private static final class FlakyDataSource implements DataSource {
        private final JdbcDataSource h2 = new JdbcDataSource();
        volatile boolean down;

        FlakyDataSource(Path dir) {
            h2.setURL("jdbc:h2:file:" + dir.resolve("state").toAbsolutePath());
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (down) {
                throw new SQLException("connection refused", "08001");
            }
            return h2.getConnection();
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }
}
