package io.bulkexport.status;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.bulkexport.state.Budgets;
import io.bulkexport.state.FileCounts;
import io.bulkexport.state.Run;
import io.bulkexport.state.RunFile;
import io.bulkexport.state.RunStatus;
import io.bulkexport.state.SpendReport;
import io.bulkexport.state.StateStore;

/**
 * Where every job stands, read from the state database alone: the last run of each job, its files landed of total,
 * its records, its age, what it waits for and, for a run a person must resolve, the exact command. The status
 * command prints it as text ({@link #text}); the service's status API serves it as JSON ({@link #json},
 * {@link #runJson}). Read-only; nothing in it is secret (request ids are the user's, needed to resolve a run).
 */
public final class StatusReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One job's last run. Times are ISO-8601 UTC, or null; {@code instance}: the one driving an active run. */
    public record JobStatus(String job, String provider, String runId, RunStatus status, String requestId,
                            int files, int filesLanded, int filesFailed, int filesExpired, long records,
                            long quarantined,
                            String createdAt, String submittedAt, String finishedAt, String nextCheckAt,
                            String waitingFor, String message, String resolve, String instance) {
    }

    /** One file of a run, for the run's page of the API. */
    public record FileStatusLine(String file, String status, long records, long quarantined, int attempts,
                                 String message) {
    }

    private final StateStore store;
    private final Clock clock;
    private final String command;
    private final Supplier<SpendReport> budgets;

    /** @param command how the user starts this app, for the commands the report suggests (e.g. bin/bulk-export) */
    public StatusReport(StateStore store, Clock clock, String command) {
        this(store, clock, command, () -> SpendReport.NONE);
    }

    /** @param budgets each spend budget's use and what is left ({@code SpendControl#report}), shown after the jobs */
    public StatusReport(StateStore store, Clock clock, String command,
                        Supplier<SpendReport> budgets) {
        this.store = store;
        this.clock = clock;
        this.command = command;
        this.budgets = budgets;
    }

    /** The last run of every job the database knows, by job name. */
    public List<JobStatus> jobs() {
        Map<String, FileCounts> counts = store.files().counts();
        List<JobStatus> jobs = new ArrayList<>();
        for (Run run : store.latestRuns()) {
            jobs.add(status(run, counts.getOrDefault(run.runId(), FileCounts.NONE)));
        }
        return jobs;
    }

    /** {@code {"jobs": [...]}}, and {@code "budgets": [...]} when any is set */
    public String json() {
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("jobs", jobs());
        SpendReport spend = budgets.get();
        if (!spend.isEmpty()) {
            page.put("budgets", spend.json());
        }
        return write(page);
    }

    /** A run with its files, or empty if the database has no such run. */
    public Optional<String> runJson(String runId) {
        Optional<Run> run = store.run(runId);
        if (run.isEmpty()) {
            return Optional.empty();
        }
        List<RunFile> files = store.files().of(runId);
        FileCounts counts = FileCounts.of(files);
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("run", status(run.get(), counts));
        page.put("files", files.stream().map(f -> new FileStatusLine(f.fileName(), f.status().name(), f.records(),
                f.quarantined(), f.attempts(), f.message())).toList());
        return Optional.of(write(page));
    }

    /** {@link #runJson} for a route: null when there is no such run. */
    public String runJsonOrNull(String runId) {
        return runJson(runId).orElse(null);
    }

    /** One line per job, then the command that resolves each run needing a person. */
    public String text() {
        List<JobStatus> jobs = jobs();
        String spend = budgetsText();
        if (jobs.isEmpty()) {
            return "no runs yet: the state database holds no job's run\n" + spend;
        }
        int width = Math.max(3, jobs.stream().mapToInt(j -> j.job().length()).max().orElse(3));
        StringBuilder out = new StringBuilder(String.format("%-" + width + "s  %-15s  %9s  %10s  %5s  %s%n",
                "JOB", "STATUS", "FILES", "RECORDS", "AGE", "DETAIL"));
        Instant now = clock.instant();
        for (JobStatus job : jobs) {
            String since = job.finishedAt() != null ? job.finishedAt()
                    : job.submittedAt() != null ? job.submittedAt() : job.createdAt();
            String detail = job.waitingFor() != null ? "waiting for " + job.waitingFor()
                    : job.message() != null ? job.message()
                    : job.requestId() != null ? "request " + job.requestId() : "";
            out.append(String.format("%-" + width + "s  %-15s  %9s  %10d  %5s  %s%n", job.job(), job.status(),
                    job.filesLanded() + "/" + job.files(), job.records(),
                    age(Duration.between(Instant.parse(since), now)), detail));
            if (job.resolve() != null) {
                out.append(" ".repeat(width + 2)).append("→ ").append(job.resolve()).append('\n');
            }
        }
        return out.append(spend).toString();
    }

    /** One line per budget (use, what is left, when it renews) and per credit floor; empty when none is set. */
    private String budgetsText() {
        SpendReport spend = budgets.get();
        StringBuilder out = new StringBuilder(spend.isEmpty() ? "" : "\n");
        for (Budgets.Use use : spend.budgets()) {
            out.append(String.format("%s = %s: %s used, %s left (renews %s)%n", use.budget().setting(),
                    use.budget().records(), use.used(), use.left(), use.until()));
        }
        for (SpendReport.Floor floor : spend.floors()) {
            out.append(String.format("%s = %s: %s%n", floor.setting(), floor.floor(), floor.credits()
                    .map(c -> "balance " + c.reported() + " reported at " + c.reportedAt() + ", " + c.left()
                            + " left after the submissions since")
                    .orElse("no balance reported yet")));
        }
        return out.toString();
    }

    private JobStatus status(Run run, FileCounts files) {
        String job = run.jobName();
        return new JobStatus(job, run.provider(), run.runId(), run.status(), run.requestId(), files.total(),
                files.landed(), files.failed(), files.expired(), files.records(), files.quarantined(),
                iso(run.createdAt()), iso(run.submittedAt()), iso(run.finishedAt()),
                run.status() == RunStatus.SUBMITTED ? iso(run.nextPollAt()) : null, waitingFor(run, files),
                run.message(), resolve(run, files), run.status().isActive() ? run.owner() : null);
    }

    private String waitingFor(Run run, FileCounts files) {
        return switch (run.status()) {
            case SUBMITTING -> "the vendor to accept the submission";
            case SUBMITTED -> "the vendor to finish the request" + (run.nextPollAt() == null ? ""
                    : " (next status check in " + age(Duration.between(clock.instant(), run.nextPollAt())) + ")");
            case DOWNLOADING -> "downloads: " + files.landed() + " of " + files.total() + " file(s) landed";
            default -> null;
        };
    }

    /** The command that moves a run on when it waits for a person; null when it needs none. */
    private String resolve(Run run, FileCounts files) {
        String job = run.jobName();
        return switch (run.status()) {
            case NEEDS_ATTENTION -> "look for the request" + (run.requestId() == null ? "" : " " + run.requestId())
                    + " in your vendor account; if it is there: " + command + " -Dbulkexport.attach." + job + "="
                    + (run.requestId() == null ? "<request id>" : run.requestId()) + "; if not: " + command
                    + " -Dbulkexport.new-run=" + job + " (a new, paid request)";
            case INCOMPLETE -> files.expired() > 0 && files.failed() == 0
                    ? "the missing files can only come from a new, paid run: " + command + " -Dbulkexport.new-run="
                    + job
                    : "start the job again to fetch the missing files, without submitting: " + command;
            case FAILED -> "a new, paid run once the cause is fixed: " + command + " -Dbulkexport.new-run=" + job;
            default -> null;
        };
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    /** 42s, 5m, 3h, 2d: the largest unit, rounded down; a time in the past or now reads 0s. */
    static String age(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 120) {
            return seconds + "s";
        }
        if (seconds < 7200) {
            return seconds / 60 + "m";
        }
        if (seconds < 172_800) {
            return seconds / 3600 + "h";
        }
        return seconds / 86_400 + "d";
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the status as JSON", e);
        }
    }
}
