package io.bulkexport.state;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * Each job's incremental cursor ({@code ${variable.since}} in its request): the start of its last DONE run, moved
 * only when a run ends DONE (in the transaction that ends it), so a run that fails leaves it where it was. A person
 * moves it with {@code bulkexport.since.<job>}, applied once per value it is given.
 */
public final class SinceCursors {
    /** The reset value that clears the cursor: the next run asks for everything again. */
    public static final String NONE = "none";

    private final StateJdbc jdbc;

    SinceCursors(StateJdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** The job's cursor, empty before its first DONE run (or after a reset to none). */
    public Optional<Instant> of(String jobName) {
        return jdbc.first("SELECT since_at FROM bulkexport_job WHERE job_name = ? AND since_at IS NOT NULL",
                rs -> StateJdbc.instant(rs, "since_at"), jobName);
    }

    /** The reset value last applied to the job's cursor, if any. */
    public Optional<String> lastReset(String jobName) {
        return jdbc.first("SELECT since_reset FROM bulkexport_job WHERE job_name = ? AND since_reset IS NOT NULL",
                rs -> rs.getString("since_reset"), jobName);
    }

    /**
     * Sets the job's cursor to {@code at} (null: none), unless {@code reset} (the setting's text) is the value
     * applied last: a reset left in the settings is applied once, not at every start. True when it was applied.
     */
    public boolean reset(String jobName, String reset, Instant at) {
        jdbc.insertOnce("INSERT INTO bulkexport_job (job_name) VALUES (?)", jobName);
        return jdbc.update("UPDATE bulkexport_job SET since_at = ?, since_reset = ? WHERE job_name = ? AND"
                        + " (since_reset IS NULL OR since_reset <> ?)", at == null ? null : at.toEpochMilli(), reset,
                jobName, reset) == 1;
    }

    /** In the transaction that ends {@code run} DONE: its start becomes the job's cursor, unless it is behind it. */
    static void moved(Connection c, Run run) throws SQLException {
        long start = run.createdAt().toEpochMilli();
        StateJdbc.execute(c, "UPDATE bulkexport_job SET since_at = ? WHERE job_name = ? AND (since_at IS NULL OR"
                + " since_at < ?)", start, run.jobName(), start);
    }
}
