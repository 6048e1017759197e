package io.bulkexport.state;

import static io.bulkexport.state.StateJdbc.bind;
import static io.bulkexport.state.StateJdbc.clip;
import static io.bulkexport.state.StateJdbc.execute;
import static io.bulkexport.state.StateJdbc.noLiveLease;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The runs' files: each claimed by one instance at a time with a fencing epoch, landed or failed only while that
 * claim holds, counted for the status report. Moving a run to its files ({@link StateStore#startDownloading}) and
 * ending it ({@link StateStore#endRun}) are the run ledger's, in its transactions.
 */
public class FileLedger {
    private static final String FILE_COLUMNS = StateStore.FILE_COLUMNS;

    private final StateJdbc jdbc;
    private final Clock clock;
    private final String instanceId;

    FileLedger(StateJdbc jdbc, Clock clock, String instanceId) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.instanceId = instanceId;
    }

    /** The files of every run, counted by status (one query for all runs), by run id. */
    public Map<String, FileCounts> counts() {
        Map<String, FileCounts> counts = new java.util.HashMap<>();
        jdbc.query("SELECT run_id, status, COUNT(*) AS files, SUM(records) AS records, SUM(quarantined) AS quarantined"
                + " FROM bulkexport_file GROUP BY run_id, status", rs -> {
                    FileStatus status = FileStatus.valueOf(rs.getString("status"));
                    int n = rs.getInt("files");
                    FileCounts some = new FileCounts(n, status == FileStatus.DONE ? n : 0,
                            status == FileStatus.FAILED ? n : 0, status == FileStatus.EXPIRED ? n : 0,
                            rs.getLong("records"), rs.getLong("quarantined"));
                    return counts.merge(rs.getString("run_id"), some, FileCounts::plus);
                });
        return counts;
    }

    /**
     * Claims a file still to fetch for this instance, unless another instance with a live lease has claimed it (or it
     * is not pending any more). Of several instances, one fetches each file; a dead one's files are claimed again. A
     * file this instance has claimed is not claimed again by it: one pass of this instance fetches it. Each claim
     * raises the file's epoch, the fencing token that the claim carries: an attempt under an older claim can no
     * longer land or fail the file. A claim that waits more than {@value #CLAIM_LOCK_WAIT_MILLIS} ms for a file
     * being landed (a frozen lander holds its row) gives up: the file is offered again at the next heartbeat.
     */
    public Optional<FileClaim> claim(String runId, String fileName) {
        try (Connection c = jdbc.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                waitForLocksAtMost(c, CLAIM_LOCK_WAIT_MILLIS);
                long now = clock.millis();
                int claimed = execute(c, "UPDATE bulkexport_file SET claimed_by = ?, claim_epoch = claim_epoch + 1,"
                        + " updated_at = ? WHERE run_id = ? AND file_name = ? AND status = ? AND "
                        + noLiveLease("claimed_by"),
                        instanceId, now, runId, fileName, FileStatus.PENDING.name(), now);
                if (claimed != 1) {
                    c.rollback();
                    return Optional.empty();
                }
                long epoch = fileClaim(c, runId, fileName, false).epoch();
                c.commit();
                return Optional.of(new FileClaim(runId, fileName, epoch));
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            if (isLockTimeout(e)) {
                return Optional.empty();
            }
            throw new StateStoreException("cannot claim file " + fileName + " of run " + runId, e);
        }
    }

    /**
     * Lands a file under the fence: holding the file's row, checks that {@code claim} is still this instance's latest
     * claim of the pending file, then runs {@code publish} (which makes the output visible under its final name) and
     * records what landed, in one transaction. False, with nothing published, when the claim was superseded: another
     * instance claimed the file since (this one's lease lapsed), or it has landed or failed already. A takeover waits
     * for the row while the publish runs, and then finds the file landed. If {@code publish} throws, nothing is
     * recorded and the exception is thrown on.
     */
    public boolean land(FileClaim claim, FileLanded landed, Publication publish) throws Exception {
        try (Connection c = jdbc.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!holds(c, claim)) {
                    c.rollback();
                    return false;
                }
                publish.publish();
                // its landed event is due from now, for the hook routes (HookEvents): recorded with the landing
                long now = clock.millis();
                execute(c, "UPDATE bulkexport_file SET status = ?, records = ?, bytes = ?, quarantined = ?, sha256 = ?,"
                                + " output_path = ?, message = NULL, updated_at = ?, hook_at = ? WHERE run_id = ?"
                                + " AND file_name = ?",
                        FileStatus.DONE.name(), landed.records(), landed.bytes(), landed.quarantined(), landed.sha256(),
                        landed.location(), now, now, claim.runId(), claim.fileName());
                c.commit();
                return true;
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Holding the file's row (until the transaction ends): whether {@code claim} is still this instance's latest
     * claim of the file, and the file still pending.
     */
    private boolean holds(Connection c, FileClaim claim) throws SQLException {
        FileClaimRow row = fileClaim(c, claim.runId(), claim.fileName(), true);
        return row != null && row.status() == FileStatus.PENDING
                && java.util.Objects.equals(instanceId, row.claimedBy()) && row.epoch() == claim.epoch();
    }

    private record FileClaimRow(String claimedBy, long epoch, FileStatus status) {
    }

    private static FileClaimRow fileClaim(Connection c, String runId, String fileName, boolean lock)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT claimed_by, claim_epoch, status FROM bulkexport_file"
                + " WHERE run_id = ? AND file_name = ?" + (lock ? " FOR UPDATE" : ""))) {
            bind(ps, runId, fileName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new FileClaimRow(rs.getString("claimed_by"), rs.getLong("claim_epoch"),
                        FileStatus.valueOf(rs.getString("status"))) : null;
            }
        }
    }

    /** How long a claim waits for a file's row held by a lander, at most. */
    static final long CLAIM_LOCK_WAIT_MILLIS = 5000;

    /** In this transaction, a row lock is waited for at most this long (PostgreSQL; H2 has its own timeout). */
    private static void waitForLocksAtMost(Connection c, long millis) throws SQLException {
        if ("PostgreSQL".equals(c.getMetaData().getDatabaseProductName())) {
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL lock_timeout = " + millis);
            }
        }
    }

    private static boolean isLockTimeout(SQLException e) {
        // PostgreSQL lock_not_available; H2 LOCK_TIMEOUT_1
        return "55P03".equals(e.getSQLState()) || "HYT00".equals(e.getSQLState());
    }

    /** The run's files in the vendor's order. */
    public List<RunFile> of(String runId) {
        try (Connection c = jdbc.dataSource().getConnection()) {
            return of(c, runId);
        } catch (SQLException e) {
            throw new StateStoreException("cannot read the files of run " + runId, e);
        }
    }

    static List<RunFile> of(Connection c, String runId) throws SQLException {
        return StateJdbc.query(c, "SELECT " + FILE_COLUMNS + " FROM bulkexport_file WHERE run_id = ? ORDER BY position",
                rs -> new RunFile(rs.getString("run_id"), rs.getString("file_name"), rs.getInt("position"),
                        FileStatus.valueOf(rs.getString("status")), rs.getLong("records"), rs.getLong("bytes"),
                        rs.getLong("quarantined"), rs.getString("sha256"), rs.getString("output_path"),
                        rs.getInt("attempts"), rs.getString("message")), runId);
    }

    /** Counts one more attempt at fetching a file. */
    public void attempted(String runId, String fileName) {
        jdbc.update("UPDATE bulkexport_file SET attempts = attempts + 1, updated_at = ? WHERE run_id = ?"
                + " AND file_name = ?",
                clock.millis(), runId, fileName);
    }

    /**
     * The file could not be fetched (or the vendor no longer serves it: {@link FileStatus#EXPIRED}), recorded only
     * while {@code claim} holds (see {@link #land}); false when it was superseded and nothing was recorded.
     */
    public boolean failed(FileClaim claim, FileStatus status, String message) {
        if (status != FileStatus.FAILED && status != FileStatus.EXPIRED) {
            throw new IllegalArgumentException("a file fails as FAILED or EXPIRED, not " + status);
        }
        return jdbc.update("UPDATE bulkexport_file SET status = ?, message = ?, updated_at = ? WHERE run_id = ? AND"
                        + " file_name = ? AND status = ? AND claimed_by IS NOT DISTINCT FROM ? AND claim_epoch = ?",
                status.name(), clip(message), clock.millis(), claim.runId(), claim.fileName(),
                FileStatus.PENDING.name(), instanceId,
                claim.epoch()) == 1;
    }

    /** Puts failed files of a run back in line, for a restart that retries them. */
    public int retryFailed(String runId) {
        return jdbc.update("UPDATE bulkexport_file SET status = ?, claimed_by = NULL, updated_at = ? WHERE run_id = ?"
                + " AND status = ?", FileStatus.PENDING.name(), clock.millis(), runId, FileStatus.FAILED.name());
    }
}
