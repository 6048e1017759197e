package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** For tests of instances sharing one PostgreSQL: reading the ledger as they run, waiting on it, signalling them. */
final class Cluster {
    private Cluster() {
    }

    /** The first column of the first row of {@code sql}, or null (also while the tables are not made yet). */
    static String single(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery(sql)) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return null; // the tables are not made yet
            }
            throw e;
        }
    }

    interface Probe<T> {
        T get() throws Exception;
    }

    /** Polls {@code probe} until it gives a value; on a timeout, fails with the instances' logs. */
    static <T> T await(Probe<T> probe, Duration timeout, String what, ExportHarness app, String... instances)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(50);
        }
        StringBuilder logs = new StringBuilder("timed out waiting for " + what);
        for (String instance : instances) {
            logs.append("\n--- ").append(instance).append(":\n").append(app.log(instance));
        }
        throw new AssertionError(logs.toString());
    }

    /** {@code kill -SIGNAL}: STOP freezes the process as a long pause would, CONT thaws it. */
    static void signal(String signal, Process process) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -" + signal).isTrue();
    }
}
