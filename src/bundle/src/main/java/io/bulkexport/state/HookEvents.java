package io.bulkexport.state;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The landed events the hook routes are told of, kept in the ledger beside what they tell of: a file's event is due
 * once the file has landed, a run's once it has ended DONE, both recorded in the same transaction as the landing, so
 * an event is never lost and never told of a landing that did not happen. Delivery is at least once: an event is
 * claimed for a while by the instance delivering it, cleared once delivered, and due again later after a failure,
 * or at once when the instance delivering it has died (its lease lapsed, or a restart on embedded H2). Its id is derived from what it tells of, so a receiver told twice
 * sees the same id.
 */
public final class HookEvents {
    /** What an event tells of. */
    public enum Kind {
        FILE_LANDED("file-landed"),
        RUN_LANDED("run-landed");

        private final String route;

        Kind(String route) {
            this.route = route;
        }

        /** The hook route's name and endpoint: {@code direct:file-landed}. */
        public String route() {
            return route;
        }
    }

    /**
     * An event due: what it tells of, as the ledger has it. For a file: its run's columns and the file's; for a run:
     * its totals over its files ({@code fileName}, {@code sha256} and {@code outputPath} null).
     */
    public record Due(Kind kind, String eventId, Instant dueAt, int attempts, Run run, String destination,
                      String fileName, long files, long records, long bytes, long quarantined, String sha256,
                      String outputPath) {
    }

    private static final String RUN_PART = "r.run_id, r.job_name, r.provider, r.status, r.request_id, r.message,"
            + " r.created_at, r.submitted_at, r.finished_at, r.next_poll_at, r.poll_interval_ms, r.poll_count,"
            + " r.owner, r.destination, r.folder";

    /**
     * SQL, for a table alias: the event is due now (its time has come, or its deliverer is dead); args: now, now.
     * Only rows with an event are looked at ({@code hook_at IS NOT NULL}, through the index): landed files without
     * one are nearly all of the table.
     */
    private static String due(String alias) {
        return alias + ".hook_at IS NOT NULL AND (" + alias + ".hook_at <= ? OR " + alias + ".hook_by IS NOT NULL"
                + " AND " + alias + ".hook_by NOT IN (SELECT instance_id FROM bulkexport_instance WHERE"
                + " lease_until > ?))";
    }

    private final StateJdbc jdbc;
    private final Clock clock;
    private final String instanceId;

    HookEvents(StateJdbc jdbc, Clock clock, String instanceId) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.instanceId = instanceId;
    }

    /** Events due now (files before runs, so a run's event follows its files'), at most {@code limit} of each. */
    public List<Due> due(int limit) {
        long now = clock.millis();
        List<Due> due = new ArrayList<>(jdbc.query("SELECT " + RUN_PART + ", f.file_name, f.records, f.bytes,"
                + " f.quarantined, f.sha256, f.output_path, f.hook_at, f.hook_attempts FROM bulkexport_file f JOIN"
                + " bulkexport_run r ON r.run_id = f.run_id WHERE " + due("f") + " ORDER BY f.hook_at"
                + " FETCH FIRST " + limit + " ROWS ONLY",
                rs -> new Due(Kind.FILE_LANDED, id(Kind.FILE_LANDED, rs.getString("run_id"), rs.getString("file_name")),
                        StateJdbc.instant(rs, "hook_at"), rs.getInt("hook_attempts"), run(rs),
                        rs.getString("destination"), rs.getString("file_name"), 1, rs.getLong("records"),
                        rs.getLong("bytes"), rs.getLong("quarantined"), rs.getString("sha256"),
                        rs.getString("output_path")), now, now));
        due.addAll(jdbc.query("SELECT " + RUN_PART + ", r.hook_at, r.hook_attempts, (SELECT COUNT(*) FROM"
                + " bulkexport_file f WHERE f.run_id = r.run_id) AS files, (SELECT COALESCE(SUM(records), 0) FROM"
                + " bulkexport_file f WHERE f.run_id = r.run_id) AS records, (SELECT COALESCE(SUM(bytes), 0) FROM"
                + " bulkexport_file f WHERE f.run_id = r.run_id) AS bytes, (SELECT COALESCE(SUM(quarantined), 0) FROM"
                + " bulkexport_file f WHERE f.run_id = r.run_id) AS quarantined FROM bulkexport_run r WHERE"
                + " " + due("r") + " ORDER BY r.hook_at FETCH FIRST " + limit + " ROWS ONLY",
                rs -> new Due(Kind.RUN_LANDED, id(Kind.RUN_LANDED, rs.getString("run_id"), null),
                        StateJdbc.instant(rs, "hook_at"), rs.getInt("hook_attempts"), run(rs),
                        rs.getString("destination"), null, rs.getLong("files"), rs.getLong("records"),
                        rs.getLong("bytes"), rs.getLong("quarantined"), null, null), now, now));
        return due;
    }

    /**
     * Claims a due event for this instance until {@code until}: only one caller can move it from the time it was
     * due. If the instance dies while delivering, the event is due again once its lease has lapsed (at once on a
     * restart on embedded H2), or at {@code until} at the latest, for any instance.
     */
    public boolean claim(Due event, Instant until) {
        return update(event, "hook_at = ?, hook_by = ?", event.dueAt(), until.toEpochMilli(), instanceId) == 1;
    }

    /** The event claimed until {@code claimedUntil} was delivered: it is due no more. */
    public void delivered(Due event, Instant claimedUntil) {
        update(event, "hook_at = NULL, hook_by = NULL", claimedUntil, new Object[0]);
    }

    /** Delivering the event claimed until {@code claimedUntil} failed: it is due again at {@code retryAt}. */
    public void failed(Due event, Instant claimedUntil, Instant retryAt) {
        update(event, "hook_at = ?, hook_by = NULL, hook_attempts = hook_attempts + 1", claimedUntil,
                retryAt.toEpochMilli());
    }

    /** How many events are due or being delivered: not delivered yet. */
    public long undelivered() {
        return jdbc.first("SELECT (SELECT COUNT(*) FROM bulkexport_file WHERE hook_at IS NOT NULL)"
                + " + (SELECT COUNT(*) FROM bulkexport_run WHERE hook_at IS NOT NULL) AS pending",
                rs -> rs.getLong("pending")).orElse(0L);
    }

    private int update(Due event, String set, Instant expected, Object... values) {
        List<Object> args = new ArrayList<>(java.util.Arrays.asList(values));
        if (event.kind() == Kind.FILE_LANDED) {
            args.addAll(List.of(event.run().runId(), event.fileName(), expected.toEpochMilli()));
            return jdbc.update("UPDATE bulkexport_file SET " + set + " WHERE run_id = ? AND file_name = ?"
                    + " AND hook_at = ?", args.toArray());
        }
        args.addAll(List.of(event.run().runId(), expected.toEpochMilli()));
        return jdbc.update("UPDATE bulkexport_run SET " + set + " WHERE run_id = ? AND hook_at = ?", args.toArray());
    }

    /** An event's id: the same each time it is told, different for every file and run. */
    static String id(Kind kind, String runId, String fileName) {
        return UUID.nameUUIDFromBytes((kind.route() + "\n" + runId + (fileName == null ? "" : "\n" + fileName))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    private static Run run(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Run(rs.getString("run_id"), rs.getString("job_name"), rs.getString("provider"),
                RunStatus.valueOf(rs.getString("status")), rs.getString("request_id"), rs.getString("message"),
                StateJdbc.instant(rs, "created_at"), StateJdbc.instant(rs, "submitted_at"),
                StateJdbc.instant(rs, "finished_at"), StateJdbc.instant(rs, "next_poll_at"),
                rs.getLong("poll_interval_ms"), rs.getInt("poll_count"), false, rs.getString("owner"),
                rs.getString("folder"));
    }
}
