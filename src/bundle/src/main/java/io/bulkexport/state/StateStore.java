package io.bulkexport.state;

import static io.bulkexport.state.StateJdbc.clip;
import static io.bulkexport.state.StateJdbc.noLiveLease;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

/**
 * Jobs' runs and their files, in a relational database through JDBC ({@link StateJdbc}); the instances' leases
 * ({@link Leases}), the webhook tokens ({@link WebhookTokens}) and the schedules' firings ({@link Firings}) are parts
 * of their own over the same database.
 *
 * <p>Every change of status is a compare-and-set ({@code UPDATE … WHERE status = ?}), so two callers (two threads
 * today, two instances sharing PostgreSQL tomorrow) can never both move the same run. The SQL is plain enough to
 * run unchanged on H2 and PostgreSQL; times are epoch milliseconds.
 */
public class StateStore {

    private static final String RUN_COLUMNS = "run_id, job_name, provider, status, request_id, message, created_at,"
            + " submitted_at, finished_at, next_poll_at, poll_interval_ms, poll_count";
    /** What a query of runs reads: the columns, whether a webhook is armed (its token stays here), the owner. */
    private static final String RUN_SELECT = RUN_COLUMNS + ", webhook_token IS NOT NULL AS webhook_armed, owner,"
            + " folder";
    static final String FILE_COLUMNS = "run_id, file_name, position, status, records, bytes, quarantined,"
            + " sha256, output_path, attempts, message";

    private final StateJdbc jdbc;
    private final Clock clock;
    private final String instanceId;
    private final Leases leases;
    private final WebhookTokens webhookTokens;
    private final Firings firings;
    private final FileLedger files;
    private final Budgets budgets;
    private final SinceCursors since;
    private final HookEvents hookEvents;
    private final List<Runnable> endListeners = new CopyOnWriteArrayList<>();

    /** A store that owns nothing: a reader (the status command), or a test. */
    public StateStore(DataSource dataSource, Clock clock) {
        this(dataSource, clock, null);
    }

    /**
     * @param instanceId the instance this store acts for: the runs it creates or takes over are stamped with it, so
     *                   that other instances sharing the database leave them alone while its lease is live
     */
    public StateStore(DataSource dataSource, Clock clock, String instanceId) {
        this.jdbc = new StateJdbc(dataSource);
        this.clock = clock;
        this.instanceId = instanceId;
        this.leases = new Leases(jdbc, clock, instanceId);
        this.webhookTokens = new WebhookTokens(jdbc, clock);
        this.firings = new Firings(jdbc, instanceId);
        this.files = new FileLedger(jdbc, clock, instanceId);
        this.budgets = new Budgets(jdbc, clock);
        this.since = new SinceCursors(jdbc);
        this.hookEvents = new HookEvents(jdbc, clock, instanceId);
    }

    /** The landed events due to the hook routes. */
    public HookEvents hookEvents() {
        return hookEvents;
    }

    /** Each job's incremental cursor. */
    public SinceCursors since() {
        return since;
    }

    /** What the runs have bought against each budget, and the credit balances vendors reported. */
    public Budgets budgets() {
        return budgets;
    }

    /** The instances sharing the database and their leases, as this instance sees them. */
    public Leases leases() {
        return leases;
    }

    /** The runs' webhook tokens. */
    public WebhookTokens webhookTokens() {
        return webhookTokens;
    }

    /** The runs' files: claimed, landed or failed under the fence, counted. */
    public FileLedger files() {
        return files;
    }

    /** The firings of recurring jobs' schedules, claimed by one instance each. */
    public Firings firings() {
        return firings;
    }

    /**
     * Calls {@code listener}, on the caller's thread, each time this store moves a run to a terminal status. Another
     * instance sharing the database does not call it: listeners that care about those runs still have to look.
     */
    public void onRunEnded(Runnable listener) {
        endListeners.add(listener);
    }

    /**
     * Creates the tables, or brings them to this release's schema ({@link StateSchema}): safe when several instances
     * start at once on one database.
     */
    public void migrate() {
        StateSchema.migrate(jdbc.dataSource());
    }

    /** The most recent run of a job, if it ever ran. */
    public Optional<Run> latestRun(String jobName) {
        List<Run> runs = queryRuns("SELECT " + RUN_SELECT + " FROM bulkexport_run WHERE job_name = ?"
                + " ORDER BY created_at DESC, run_id DESC", jobName);
        return runs.stream().findFirst();
    }

    public Optional<Run> run(String runId) {
        return queryRuns("SELECT " + RUN_SELECT + " FROM bulkexport_run WHERE run_id = ?", runId).stream().findFirst();
    }

    /** Runs in any of the given states, oldest first. */
    public List<Run> runsIn(Collection<RunStatus> statuses) {
        List<Run> all = new ArrayList<>();
        for (RunStatus status : statuses) {
            all.addAll(queryRuns("SELECT " + RUN_SELECT + " FROM bulkexport_run WHERE status = ?", status.name()));
        }
        all.sort((a, b) -> a.createdAt().compareTo(b.createdAt()));
        return all;
    }

    /** The most recent run of every job the database knows, by job name. */
    public List<Run> latestRuns() {
        // each job's newest rows only, through the (job_name, created_at) index: not the whole history
        Map<String, Run> latest = new java.util.TreeMap<>();
        for (Run run : queryRuns("SELECT " + RUN_SELECT + " FROM bulkexport_run r WHERE created_at ="
                + " (SELECT MAX(created_at) FROM bulkexport_run l WHERE l.job_name = r.job_name)"
                + " ORDER BY created_at, run_id")) {
            latest.put(run.jobName(), run); // of two runs created in the same millisecond, the greater id (as latestRun)
        }
        return List.copyOf(latest.values());
    }

    /**
     * The jobs with an active run ({@link RunStatus#isActive}), the most recently started first (a job with several
     * active runs appears for each), read through the status index.
     */
    public List<String> activeJobNames() {
        Object[] active = Arrays.stream(RunStatus.values()).filter(RunStatus::isActive).map(Enum::name).toArray();
        return jdbc.query("SELECT job_name FROM bulkexport_run WHERE status IN ("
                + String.join(", ", Collections.nCopies(active.length, "?")) + ") ORDER BY created_at DESC",
                rs -> rs.getString("job_name"), active);
    }

    /** How many runs the database holds in each status (statuses without runs are absent). */
    public Map<RunStatus, Long> countByStatus() {
        Map<RunStatus, Long> counts = new EnumMap<>(RunStatus.class);
        jdbc.query("SELECT status, COUNT(*) AS runs FROM bulkexport_run GROUP BY status",
                rs -> counts.put(RunStatus.valueOf(rs.getString("status")), rs.getLong("runs")));
        return counts;
    }


    /** Submitted runs whose next status check is due. */
    public List<Run> duePolls(Instant now) {
        return queryRuns("SELECT " + RUN_SELECT + " FROM bulkexport_run WHERE status = ? AND next_poll_at <= ?"
                + " ORDER BY next_poll_at", RunStatus.SUBMITTED.name(), now.toEpochMilli());
    }

    /** A run in SUBMITTING, owned by this instance, committed before anything is sent; a known request id with it. */
    private void insertRun(Connection c, String runId, String jobName, String provider, String requestId)
            throws SQLException {
        long now = clock.millis();
        execute(c, "INSERT INTO bulkexport_run (" + RUN_COLUMNS + ", updated_at, owner)"
                        + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", runId, jobName, provider,
                RunStatus.SUBMITTING.name(), requestId, null, now, null, null, null, 0L, 0, now, instanceId);
    }

    // ------------------------------------------------------------- instances sharing the database

    /** SQL true when the run's owner has no live lease (or there is none): another instance may act on it. */
    private static final String OWNER_GONE = noLiveLease("owner");

    /** Runs in this status whose owner has no live lease: what a dead instance left. */
    public List<Run> orphans(RunStatus status) {
        return queryRuns("SELECT " + RUN_SELECT + " FROM bulkexport_run WHERE status = ? AND " + OWNER_GONE
                + " ORDER BY created_at", status.name(), clock.millis());
    }

    /**
     * SUBMITTING → NEEDS_ATTENTION, only if the instance that was sending the submission has no live lease: a live
     * one's submission is its own, and it will store the answer.
     */
    public boolean abandonSubmission(String runId, String message) {
        long now = clock.millis();
        boolean moved = update("UPDATE bulkexport_run SET status = ?, message = ?, finished_at = ?, updated_at = ?"
                        + " WHERE run_id = ? AND status = ? AND " + OWNER_GONE, RunStatus.NEEDS_ATTENTION.name(),
                clip(message), now, now, runId, RunStatus.SUBMITTING.name(), now) == 1;
        if (moved) {
            endListeners.forEach(Runnable::run);
        }
        return moved;
    }

    /** Takes over a DOWNLOADING run whose owner has no live lease (or is this instance); true if it is ours now. */
    public boolean claimDownload(String runId) {
        long now = clock.millis();
        return update("UPDATE bulkexport_run SET owner = ?, updated_at = ? WHERE run_id = ? AND status = ? AND (owner"
                        + " = ? OR " + OWNER_GONE + ")", instanceId, now, runId, RunStatus.DOWNLOADING.name(),
                instanceId, now) == 1;
    }

    /** Downloading runs with a file still to fetch that no live instance has claimed: work any instance can take. */
    public List<Run> runsWithUnclaimedFiles() {
        return queryRuns("SELECT " + RUN_SELECT + " FROM bulkexport_run WHERE status = ? AND run_id IN (SELECT run_id"
                        + " FROM bulkexport_file WHERE status = ? AND " + noLiveLease("claimed_by")
                        + ") ORDER BY created_at",
                RunStatus.DOWNLOADING.name(), FileStatus.PENDING.name(), clock.millis());
    }

    /** Makes this instance the run's owner: after a move (a compare-and-set) that only this instance made. */
    public void own(String runId) {
        update("UPDATE bulkexport_run SET owner = ? WHERE run_id = ?", instanceId, runId);
    }

    /**
     * Claims a due status check: moves the run's next check from {@code dueAt} to {@code until}, which only one
     * instance can do for the same due time. The check then sets the real next time; if this instance dies first,
     * the check is due again at {@code until}, for any instance.
     */
    public boolean claimPoll(String runId, Instant dueAt, Instant until) {
        return update("UPDATE bulkexport_run SET next_poll_at = ?, checked_at = ? WHERE run_id = ? AND status = ?"
                        + " AND next_poll_at = ?", until.toEpochMilli(), clock.millis(), runId,
                RunStatus.SUBMITTED.name(), dueAt.toEpochMilli()) == 1;
    }

    /**
     * Starts a run of a job, in {@link RunStatus#SUBMITTING}, owned by this instance, but only if the job's latest run is still {@code expectedLatest}
     * (null: the job has none): the caller decided from that run that a new one is due. The job's row is locked
     * meanwhile, so of several instances deciding at once, one starts the run and the others get empty.
     */
    public Optional<Run> startRun(String jobName, String provider, String requestId, String expectedLatest) {
        return startRun(jobName, provider, requestId, expectedLatest, null);
    }

    /**
     * As {@link #startRun(String, String, String, String)}, for a submission that spends: the run reserves the most
     * records it may buy against the budgets ({@link Budgets}), checked in the same transaction. When they do not
     * fit, the run is stored {@link RunStatus#OVER_BUDGET} (ended, nothing to send) with the reason as its message.
     */
    public Optional<Run> startRun(String jobName, String provider, String requestId, String expectedLatest,
                                  Budgets.Spend spend) {
        jdbc.insertOnce("INSERT INTO bulkexport_job (job_name) VALUES (?)", jobName);
        if (spend != null) {
            budgets.prepare(spend);
        }
        String runId = UUID.randomUUID().toString();
        String refused = null;
        try (Connection c = jdbc.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                StateJdbc.query(c, "SELECT job_name FROM bulkexport_job WHERE job_name = ? FOR UPDATE",
                        rs -> rs.getString("job_name"), jobName);
                String latest = null;
                try (PreparedStatement ps = c.prepareStatement("SELECT run_id FROM bulkexport_run WHERE job_name = ?"
                        + " ORDER BY created_at DESC, run_id DESC")) {
                    bind(ps, jobName);
                    ps.setMaxRows(1);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            latest = rs.getString("run_id");
                        }
                    }
                }
                if (!java.util.Objects.equals(latest, expectedLatest)) {
                    c.rollback();
                    return Optional.empty();
                }
                refused = spend == null ? null : Budgets.refusal(c, spend, clock.instant()).orElse(null);
                insertRun(c, runId, jobName, provider, requestId);
                if (refused != null) {
                    long now = clock.millis();
                    execute(c, "UPDATE bulkexport_run SET status = ?, message = ?, finished_at = ? WHERE run_id = ?",
                            RunStatus.OVER_BUDGET.name(), clip(refused), now, runId);
                } else if (spend != null) {
                    execute(c, "UPDATE bulkexport_run SET budget_records = ? WHERE run_id = ?", spend.records(),
                            runId);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StateStoreException("cannot start a run of " + jobName, e);
        }
        if (refused != null) {
            endListeners.forEach(Runnable::run);
        }
        return run(runId);
    }

    /** SUBMITTING → SUBMITTED with the vendor's request id and the first status check. */
    public boolean markSubmitted(String runId, String requestId, Instant firstPoll, long intervalMillis) {
        long now = clock.millis();
        return update("UPDATE bulkexport_run SET status = ?, request_id = ?, submitted_at = ?, next_poll_at = ?,"
                        + " poll_interval_ms = ?, message = NULL, updated_at = ? WHERE run_id = ? AND status = ?",
                RunStatus.SUBMITTED.name(), requestId, now, firstPoll.toEpochMilli(), intervalMillis, now, runId,
                RunStatus.SUBMITTING.name()) == 1;
    }

    /** Keeps a submitted run waiting: the next status check, the interval that led to it, and why. */
    public boolean reschedulePoll(String runId, Instant nextPoll, long intervalMillis, String message) {
        return update("UPDATE bulkexport_run SET next_poll_at = ?, poll_interval_ms = ?, poll_count = poll_count + 1,"
                        + " message = ?, updated_at = ? WHERE run_id = ? AND status = ?",
                nextPoll.toEpochMilli(), intervalMillis, clip(message), clock.millis(), runId,
                RunStatus.SUBMITTED.name()) == 1;
    }

    /**
     * SUBMITTED → DOWNLOADING, storing the request's files in the vendor's order. A name listed twice is kept once.
     * Done in one transaction: either the run is downloading with all its files known, or nothing changed.
     */
    public boolean startDownloading(String runId, List<String> fileNames) {
        long now = clock.millis();
        try (Connection c = jdbc.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                int moved = execute(c, "UPDATE bulkexport_run SET status = ?, message = NULL, updated_at = ?,"
                        + " owner = ? WHERE run_id = ? AND status = ?", RunStatus.DOWNLOADING.name(), now, instanceId,
                        runId, RunStatus.SUBMITTED.name());
                if (moved != 1) {
                    c.rollback();
                    return false;
                }
                int position = 0;
                for (String name : new LinkedHashSet<>(fileNames)) {
                    execute(c, "INSERT INTO bulkexport_file (" + FILE_COLUMNS + ", updated_at)"
                                    + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                            runId, name, position++, FileStatus.PENDING.name(), 0L, 0L, 0L, null, null, 0, null, now);
                }
                c.commit();
                return true;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StateStoreException("cannot record the files of run " + runId, e);
        }
    }

    /** What ending a run does while the store holds the run's row: writes its manifest, from the ledger's files. */
    @FunctionalInterface
    public interface RunEnding {
        void end(Run run, List<RunFile> files) throws Exception;
    }

    /**
     * Ends a DOWNLOADING run once no file of it is pending, holding the run's row so that one caller ends it, once:
     * with every file DONE, {@code manifest} runs (it is given the files as the ledger recorded their landing) and
     * the run becomes DONE; otherwise it becomes INCOMPLETE with the message {@code incomplete} makes of its files.
     * Empty when the run was not this caller's to end (ended already, or files still pending); if {@code manifest}
     * throws, nothing changes and the exception is thrown on.
     */
    public Optional<RunStatus> endRun(String runId, RunEnding manifest,
                                      java.util.function.Function<List<RunFile>, String> incomplete) throws Exception {
        Run run = run(runId).orElseThrow(() -> new IllegalStateException("no run " + runId));
        RunStatus ended;
        try (Connection c = jdbc.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                String status;
                try (PreparedStatement lock = c.prepareStatement(
                        "SELECT status FROM bulkexport_run WHERE run_id = ? FOR UPDATE")) {
                    bind(lock, runId);
                    try (ResultSet rs = lock.executeQuery()) {
                        status = rs.next() ? rs.getString("status") : null;
                    }
                }
                List<RunFile> files = FileLedger.of(c, runId);
                if (!RunStatus.DOWNLOADING.name().equals(status)
                        || files.stream().anyMatch(f -> f.status() == FileStatus.PENDING)) {
                    c.rollback();
                    return Optional.empty();
                }
                String message = null;
                if (files.stream().allMatch(f -> f.status() == FileStatus.DONE)) {
                    manifest.end(run, files);
                    ended = RunStatus.DONE;
                    // against the budgets it counts what it delivered now, if less than it reserved
                    long delivered = Budgets.delivered(files);
                    execute(c, "UPDATE bulkexport_run SET budget_records = ? WHERE run_id = ? AND budget_records > ?",
                            delivered, runId, delivered);
                    SinceCursors.moved(c, run);
                } else {
                    message = clip(incomplete.apply(files));
                    ended = RunStatus.INCOMPLETE;
                }
                long now = clock.millis();
                // a DONE run's landed event is due from now, for the hook routes (HookEvents)
                execute(c, "UPDATE bulkexport_run SET status = ?, message = ?, finished_at = ?, updated_at = ?,"
                        + " hook_at = ? WHERE run_id = ?", ended.name(), message, now, now,
                        ended == RunStatus.DONE ? now : null, runId);
                c.commit();
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
        endListeners.forEach(Runnable::run);
        return Optional.of(ended);
    }

    /** Moves a run from one status to another, only if it is still in {@code from}. */
    public boolean transition(String runId, RunStatus from, RunStatus to, String message) {
        long now = clock.millis();
        Long finishedAt = to.isTerminal() ? now : null;
        boolean moved = update("UPDATE bulkexport_run SET status = ?, message = ?, finished_at = ?, updated_at = ?"
                + " WHERE run_id = ? AND status = ?", to.name(), clip(message), finishedAt, now, runId,
                from.name()) == 1;
        if (moved && to.isTerminal()) {
            endListeners.forEach(Runnable::run);
        }
        return moved;
    }

    /**
     * Where a run's files land: recorded by the first caller, then returned as recorded, so a run finishes where it
     * started whatever its job says later.
     */
    public String destination(String runId, String proposed) {
        return firstRecorded("destination", runId, proposed);
    }

    /**
     * The folder a run's files land in under the sink's root: recorded by the first caller, then returned as
     * recorded, so a resumed or taken-over run keeps its layout whatever the setting says later.
     */
    public String folder(String runId, String proposed) {
        return firstRecorded("folder", runId, proposed);
    }

    /** Sets the run's column (a constant name) unless already set, then returns what it holds: the first caller's. */
    private String firstRecorded(String column, String runId, String proposed) {
        update("UPDATE bulkexport_run SET " + column + " = ? WHERE run_id = ? AND " + column + " IS NULL", proposed,
                runId);
        return jdbc.first("SELECT " + column + " FROM bulkexport_run WHERE run_id = ?", rs -> rs.getString(column),
                runId).orElseThrow(() -> new IllegalStateException("no run " + runId));
    }

    private List<Run> queryRuns(String sql, Object... args) {
        return jdbc.query(sql, rs -> new Run(rs.getString("run_id"), rs.getString("job_name"),
                rs.getString("provider"), RunStatus.valueOf(rs.getString("status")), rs.getString("request_id"),
                rs.getString("message"), StateJdbc.instant(rs, "created_at"), StateJdbc.instant(rs, "submitted_at"),
                StateJdbc.instant(rs, "finished_at"), StateJdbc.instant(rs, "next_poll_at"),
                rs.getLong("poll_interval_ms"), rs.getInt("poll_count"), rs.getBoolean("webhook_armed"),
                rs.getString("owner"), rs.getString("folder")), args);
    }

    private int update(String sql, Object... args) {
        return jdbc.update(sql, args);
    }

    private static int execute(Connection c, String sql, Object... args) throws SQLException {
        return StateJdbc.execute(c, sql, args);
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        StateJdbc.bind(ps, args);
    }

}
