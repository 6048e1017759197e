package io.bulkexport.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

import io.bulkexport.job.JobDefinition;
import io.bulkexport.metrics.ExportMeters;
import io.bulkexport.provider.ProviderDeclarations;
import io.bulkexport.provider.ProviderSpec;
import io.bulkexport.sink.SinkException;
import io.bulkexport.sink.SinkRefusedException;
import io.bulkexport.state.FileStatus;
import io.bulkexport.state.Run;
import io.bulkexport.state.RunFile;
import io.bulkexport.state.RunStatus;
import io.bulkexport.state.StateStore;
import io.bulkexport.state.StateStoreException;
import io.bulkexport.vendor.Redaction;
import io.bulkexport.vendor.RequestBodies;
import io.bulkexport.vendor.RetryableVendorException;
import io.bulkexport.vendor.VendorText;
import io.bulkexport.vendor.VendorRejectedException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a run, as the routes drive it: whether to submit, what the vendor's answers mean for the run, which
 * files remain, and when the run is over. Each step reads and writes the state store, so a restart picks up where
 * the process stopped. Routes pass the run along in exchange properties ({@code job}, {@code runId},
 * {@code requestId}, {@code fileName}…).
 */
public class Runs {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.runs");
    /** Exchange property that tells start-job why it was called: at start-up or by a job's schedule. */
    public static final String TRIGGER = "trigger";
    /** Exchange property: when a recurring job's firing was scheduled (Quartz's scheduledFireTime). */
    public static final String SCHEDULED_AT = "scheduledFireTime";
    /** How long a claimed status check may take before another instance may claim it again. */
    static final Duration POLL_CLAIM = Duration.ofMinutes(2);
    /** Exchange property: the job's latest run when prepare decided (null: none), which record expects still. */
    private static final String LATEST_RUN = "bulkexportLatestRun";

    private final StateStore store;
    private final Jobs jobs;
    private final PollPolicy poll;
    private final Clock clock;
    private final Set<String> newRuns;
    private final Map<String, String> attach;
    private final Function<JobDefinition, String> destinations;
    private final Consumer<JobDefinition> sinkCheck;
    private final ExportMeters meters;
    private final Webhooks webhooks;
    /** Runs this process has queued or is downloading: a pass of its own over a run is never started twice. */
    private final Set<String> inProcess = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /**
     * Status checks this instance claimed whose outcome it could not record (the state database failed meanwhile):
     * their claim would hold them back for {@link #POLL_CLAIM}; they are made due again once the database answers.
     */
    private final Set<String> unrecordedChecks = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @param newRuns jobs the user asked to run again (paid again) although their last run ended; "all" for every job
     * @param attach  request ids submitted outside this instance, by job, to resume instead of submitting
     * @param destinations where a job's files land now, in words (sink and its settings); a run keeps its first
     * @param sinkCheck throws if the job's sink would refuse its files, before anything is submitted or stored
     * @param meters    counts submissions, ready requests and landed or failed files
     * @param webhooks  arms a submission's webhook, whose runs are polled at its slower fallback interval
     */
    public Runs(StateStore store, Jobs jobs, PollPolicy poll, Clock clock, Set<String> newRuns,
                Map<String, String> attach, Function<JobDefinition, String> destinations,
                Consumer<JobDefinition> sinkCheck, ExportMeters meters, Webhooks webhooks) {
        this.store = store;
        this.jobs = jobs;
        this.poll = poll;
        this.clock = clock;
        this.newRuns = newRuns;
        this.attach = attach;
        this.destinations = destinations;
        this.sinkCheck = sinkCheck;
        this.meters = meters;
        this.webhooks = webhooks;
    }

    // ---------------------------------------------------------------- start-up

    /**
     * Settles what a stopped process left behind, for this instance's jobs (see {@link #settleSubmissions}); the
     * requests it was waiting for are checked now. A run whose instance is alive (its lease in the state database
     * is live) is left to it. Returns the jobs to start (start-job decides what that means for each: a one-shot job
     * may be submitted, an incomplete run retried, a recurring job waits for its time).
     */
    public List<String> recover() {
        settleSubmissions();
        for (Run run : store.orphans(RunStatus.SUBMITTED)) {
            if (jobs.contains(run.jobName())) {
                LOG.info("{}: resuming request {} (submitted {}), checking its status now", run.jobName(),
                        run.requestId(), run.submittedAt());
                store.reschedulePoll(run.runId(), clock.instant(), run.pollIntervalMillis(), run.message());
            }
        }
        return jobs.catalog().all().stream().map(JobDefinition::name).toList();
    }

    /**
     * A submission whose instance stopped (its lease ran out) between sending it and storing the answer may have
     * been accepted and charged: it needs a person, and is never sent again. Called at start-up and with every
     * heartbeat; a live instance's submission is its own.
     */
    public void settleSubmissions() {
        for (Run run : store.orphans(RunStatus.SUBMITTING)) {
            if (jobs.contains(run.jobName())) {
                String message = "the process stopped after sending the submission and before storing the vendor's"
                        + " answer: it may have been accepted and charged. " + resolution(run.jobName(), run.requestId());
                if (store.abandonSubmission(run.runId(), message)) {
                    LOG.error("{}: NEEDS ATTENTION — {}", run.jobName(), message);
                }
            }
        }
    }

    /**
     * Downloads of this instance's jobs for this process to take part in, marked as queued: runs a stopped instance
     * owned (taken over by one instance: it also writes the manifest if the files are all there), and runs with files
     * that no live instance has claimed (any instance with the job shares those out, a file each). Called at
     * start-up and with every heartbeat.
     */
    public List<String> downloadsToResume() {
        java.util.LinkedHashSet<String> runs = new java.util.LinkedHashSet<>();
        for (Run run : store.orphans(RunStatus.DOWNLOADING)) {
            if (jobs.contains(run.jobName()) && !inProcess.contains(run.runId()) && store.claimDownload(run.runId())) {
                LOG.info("{}: resuming the download of request {}", run.jobName(), run.requestId());
                runs.add(run.runId());
            }
        }
        for (Run run : store.runsWithUnclaimedFiles()) {
            if (jobs.contains(run.jobName()) && !inProcess.contains(run.runId()) && runs.add(run.runId())) {
                LOG.info("{}: taking a share of the files of request {}", run.jobName(), run.requestId());
            }
        }
        inProcess.addAll(runs);
        return List.copyOf(runs);
    }

    /** This process's pass over a run has ended, one way or another. */
    public void passEnded(Exchange exchange) {
        String runId = exchange.getProperty("runId", String.class);
        inProcess.remove(runId != null ? runId : String.valueOf(exchange.getMessage().getBody()));
    }

    // ---------------------------------------------------------------- submit

    /**
     * Decides what starting a job means now, and sets exchange property {@code action}: SUBMIT (a new run is due:
     * the start-job route takes a permit of the provider's rate limit, named by property {@code rateRoute}, then
     * {@link #record}s it), DOWNLOAD (an incomplete run's failed files go back in line; body becomes its run id), or
     * NONE.
     */
    public void prepare(Exchange exchange) {
        String jobName = exchange.getMessage().getBody(String.class);
        JobDefinition job = jobs.get(jobName);
        describe(exchange, job);
        exchange.setProperty("action", "NONE");
        boolean scheduled = "schedule".equals(exchange.getProperty(TRIGGER, String.class));
        java.util.Date firing = exchange.getProperty(SCHEDULED_AT, java.util.Date.class);
        if (scheduled && firing != null && !store.claimFiring(jobName, firing.toInstant())) {
            LOG.info("{}: the firing of {} is another instance's", jobName, firing.toInstant());
            return;
        }
        Optional<Run> latest = store.latestRun(jobName);
        String latestId = latest.map(Run::runId).orElse(null);

        if (latest.isPresent() && latest.get().status().isActive()) {
            Run run = latest.get();
            LOG.info("{}: run {} is still {} (request {}): not starting another", jobName, run.runId(),
                    run.status(), run.requestId());
            return;
        }
        String attachId = attach.get(jobName);
        // attach unless the latest run already holds that request (a run that died while submitting a request id
        // made here holds it too, but never got to use it)
        if (attachId != null && latest.map(run -> !attachId.equals(run.requestId())
                || run.status() == RunStatus.NEEDS_ATTENTION).orElse(true)) {
            Optional<Run> attached = store.startRun(jobName, job.provider(), attachId, latestId);
            if (attached.isEmpty()) {
                startedElsewhere(jobName);
                return;
            }
            Run run = attached.get();
            store.markSubmitted(run.runId(), attachId, clock.instant(), poll.firstInterval().toMillis());
            store.destination(run.runId(), destinations.apply(job));
            LOG.info("{}: attached to existing request {} (run {}): checking its status, nothing is submitted",
                    jobName, attachId, run.runId());
            return;
        }
        boolean newRunAsked = newRuns.contains(jobName) || newRuns.contains("all");
        if (latest.isPresent() && latest.get().status() == RunStatus.INCOMPLETE && !scheduled && !newRunAsked) {
            Run run = latest.get();
            if (store.transition(run.runId(), RunStatus.INCOMPLETE, RunStatus.DOWNLOADING, null)) {
                store.own(run.runId());
                inProcess.add(run.runId());
                int retried = store.retryFailedFiles(run.runId());
                LOG.info("{}: run {} was incomplete: retrying its {} failed file(s), nothing is submitted", jobName,
                        run.runId(), retried);
                exchange.setProperty("action", "DOWNLOAD");
                exchange.getMessage().setBody(run.runId());
            }
            return;
        }
        if (!job.isOnce() && !scheduled) {
            return; // recurring jobs are submitted on their schedule only
        }
        if (latest.isPresent() && job.isOnce() && !newRunAsked) {
            Run run = latest.get();
            LOG.info("{}: last run {} ended {} ({}); a one-shot job is not submitted again — set"
                            + " bulkexport.new-run={} for a new, paid run", jobName, run.runId(), run.status(),
                    run.message() == null ? "request " + run.requestId() : run.message(), jobName);
            return;
        }
        sinkCheck.accept(job); // a refusal ends here: nothing stored, nothing sent, the next start tries again
        ProviderSpec provider = exchange.getContext().getRegistry().lookupByNameAndType(job.provider(),
                ProviderSpec.class);
        exchange.setProperty("rateRoute", ProviderDeclarations.rateRouteOf(provider));
        exchange.setProperty(LATEST_RUN, latestId);
        exchange.setProperty("action", "SUBMIT");
    }

    /**
     * Stores the run that {@link #prepare} found due, in SUBMITTING, committed before anything is sent: the
     * start-job route sends it right after, with the rate-limit permit it holds already. Action becomes NONE if
     * another instance started a run of the job meanwhile.
     */
    public void record(Exchange exchange) {
        JobDefinition job = exchange.getProperty("job", JobDefinition.class);
        String jobName = job.name();
        // a request id the bundle makes is random (never derived from the job or the user) and stored before sending
        String requestId = job.clientRequestId() ? UUID.randomUUID().toString() : null;
        Optional<Run> started = store.startRun(jobName, job.provider(), requestId,
                exchange.getProperty(LATEST_RUN, String.class));
        if (started.isEmpty()) {
            exchange.setProperty("action", "NONE");
            startedElsewhere(jobName);
            return;
        }
        Run run = started.get();
        store.destination(run.runId(), destinations.apply(job));
        exchange.setProperty("runId", run.runId());
        exchange.setProperty("requestId", requestId);
        exchange.setProperty("action", "SUBMIT");
        Optional<String> webhook = webhooks.arm(run.runId(), job.provider());
        webhook.ifPresent(url -> exchange.setProperty(RequestBodies.WEBHOOK_URL, url));
        LOG.info("{}: submitting a {} {}/{} request{}{}{} (run {})", jobName, job.provider(), job.dataset(),
                job.method(), job.limit() == null ? "" : " limited to " + job.limit() + " records",
                requestId == null ? "" : " with request id " + requestId,
                webhook.isPresent() ? ", with a webhook" : "", run.runId());
    }

    private void startedElsewhere(String jobName) {
        LOG.info("{}: another instance has just started a run of this job: it is left to that one", jobName);
    }

    /** The vendor accepted the submission: its request id (exchange property {@code requestId}) is stored. */
    public void submitted(Exchange exchange) {
        String runId = exchange.getProperty("runId", String.class);
        String requestId = exchange.getProperty("requestId", String.class);
        if (requestId == null || requestId.isBlank()) {
            throw new IllegalStateException("the vendor's answer to the submission holds no request id");
        }
        // accepted, so maybe charged: an id that is not one needs a person (NEEDS_ATTENTION), never a new submission
        VendorText.requestId(requestId, "the vendor's answer to the submission");
        boolean webhook = exchange.getProperty(RequestBodies.WEBHOOK_URL) != null;
        long interval = (webhook ? webhooks.pollInterval() : poll.firstInterval()).toMillis();
        meters.submitted(exchange.getProperty("provider", String.class));
        if (!store.markSubmitted(runId, requestId, clock.instant().plusMillis(interval), interval)) {
            // this instance's lease lapsed while it was sending, and another settled the run as unknown meanwhile
            LOG.error("{}: request {} was accepted, but its run {} had been settled meanwhile as {} (this instance's"
                            + " lease lapsed while it was submitting): resume the request with"
                            + " -Dbulkexport.attach.{}={}; nothing is submitted again", exchange.getProperty("jobName"),
                    requestId, runId, store.run(runId).map(Run::status).orElse(null), exchange.getProperty("jobName"),
                    requestId);
            return;
        }
        LOG.info("{}: request {} accepted; first status check in {}{}", exchange.getProperty("jobName"), requestId,
                human(Duration.ofMillis(interval)), webhook ? " unless the vendor's webhook call comes first" : "");
    }

    /** The submission failed: refused for sure (FAILED), or with an unknown outcome (NEEDS_ATTENTION). */
    public void submitFailed(Exchange exchange) {
        String jobName = exchange.getProperty("jobName", String.class);
        String runId = exchange.getProperty("runId", String.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (runId == null) {
            LOG.error("{}: cannot start: {}", jobName, describe(cause));
            return;
        }
        if (Retries.surelyNotAccepted(cause)) {
            String message = "submission refused: " + describe(cause);
            store.transition(runId, RunStatus.SUBMITTING, RunStatus.FAILED, message);
            LOG.error("{}: FAILED — {}", jobName, message);
        } else {
            String message = "the submission's outcome is unknown (" + describe(cause) + "): the vendor may have"
                    + " accepted and charged it, so it is not sent again. "
                    + resolution(jobName, exchange.getProperty("requestId", String.class));
            store.transition(runId, RunStatus.SUBMITTING, RunStatus.NEEDS_ATTENTION, message);
            LOG.error("{}: NEEDS ATTENTION — {}", jobName, message);
        }
    }

    private static String resolution(String jobName, String requestId) {
        return "Look for the request" + (requestId == null ? "" : " " + requestId) + " in your vendor account: if it"
                + " is there, resume it with -Dbulkexport.attach." + jobName + "="
                + (requestId == null ? "<request id>" : requestId) + "; if not, start a new paid run with"
                + " -Dbulkexport.new-run=" + jobName + ".";
    }

    // ---------------------------------------------------------------- poll

    /**
     * Ids of submitted runs of this instance's jobs whose status check is due, each claimed by this instance: of
     * several instances sharing the database, one checks it. A claimed check that never reports (the instance died)
     * is due again after {@link #POLL_CLAIM}.
     */
    public List<String> duePolls() {
        Instant now = clock.instant();
        retryUnrecordedChecks(now);
        return store.duePolls(now).stream().filter(run -> jobs.contains(run.jobName())
                        && store.claimPoll(run.runId(), run.nextPollAt(), now.plus(POLL_CLAIM)))
                .map(Run::runId).toList();
    }

    private void retryUnrecordedChecks(Instant now) {
        for (String runId : unrecordedChecks) {
            try {
                store.run(runId).ifPresent(run -> store.reschedulePoll(runId, now, run.pollIntervalMillis(),
                        run.message()));
                unrecordedChecks.remove(runId);
            } catch (StateStoreException stillDown) {
                return; // the next tick tries again
            }
        }
    }

    /** Sets the exchange properties the provider routes read, for the run whose id is the body. */
    public void load(Exchange exchange) {
        String runId = exchange.getMessage().getBody(String.class);
        Run run = store.run(runId).orElseThrow(() -> new IllegalStateException("no run " + runId));
        describe(exchange, jobs.get(run.jobName()));
        exchange.setProperty("runId", runId);
        exchange.setProperty("requestId", run.requestId());
        exchange.setProperty("submittedAt", run.submittedAt());
    }

    /**
     * Not ready yet: the next check waits longer (up to the ceiling, and not before the vendor's own estimate in
     * property {@code notBefore} if it gave one), unless the run has waited past the timeout.
     */
    public void stillPending(Exchange exchange) {
        Run run = store.run(exchange.getProperty("runId", String.class)).orElseThrow();
        Instant now = clock.instant();
        Duration waited = Duration.between(run.submittedAt(), now);
        if (waited.compareTo(poll.timeout()) > 0) {
            String said = exchange.getProperty("vendorMessage", String.class);
            String message = "request " + run.requestId() + " was not ready after " + human(waited)
                    + " (bulkexport.poll.timeout-minutes)" + (said == null ? "" : "; last check: " + said)
                    + "; it may still complete: resume it later with -Dbulkexport.attach." + run.jobName() + "="
                    + run.requestId();
            store.transition(run.runId(), RunStatus.SUBMITTED, RunStatus.FAILED, message);
            LOG.error("{}: FAILED — {}", run.jobName(), message);
            return;
        }
        long interval = run.webhookArmed() ? webhooks.pollInterval().toMillis()
                : poll.nextIntervalMillis(run.pollIntervalMillis());
        Instant next = now.plusMillis(interval);
        Instant notBefore = exchange.getProperty("notBefore", Instant.class);
        if (notBefore != null && notBefore.isAfter(next)) {
            // the vendor's estimate, but never past the poll timeout: a far-off date must not park the run for good
            Instant latest = run.submittedAt().plus(poll.timeout());
            next = notBefore.isAfter(latest) ? (latest.isAfter(next) ? latest : next) : notBefore;
        }
        String said = exchange.getProperty("vendorMessage", String.class);
        store.reschedulePoll(run.runId(), next, interval, said);
        LOG.info("{}: request {} not ready yet{} — waited {}, next check in {}", run.jobName(), run.requestId(),
                said == null ? "" : " (" + said + ")", human(waited), human(Duration.between(now, next)));
    }

    /**
     * Ready: the body lists the request's file names; the run moves to downloading them. Property {@code action}
     * becomes DOWNLOAD only for the caller that made that move, so a run is never queued for download twice.
     */
    public void ready(Exchange exchange) {
        String runId = exchange.getProperty("runId", String.class);
        @SuppressWarnings("unchecked")
        List<String> names = exchange.getMessage().getBody(List.class);
        boolean moved = store.startDownloading(runId, names);
        exchange.setProperty("action", moved ? "DOWNLOAD" : "NONE");
        if (moved) {
            inProcess.add(runId); // queued for download here: the heartbeat does not queue it a second time
            Instant submittedAt = exchange.getProperty("submittedAt", Instant.class);
            if (submittedAt != null) {
                meters.ready(exchange.getProperty("provider", String.class),
                        Duration.between(submittedAt, clock.instant()));
            }
            long distinct = names.stream().distinct().count();
            LOG.info("{}: request {} is ready: {} file(s){}", exchange.getProperty("jobName"),
                    exchange.getProperty("requestId"), distinct, distinct == names.size() ? ""
                            : " (the vendor listed " + names.size() + " names: each file is fetched once)");
        }
        exchange.getMessage().setBody(runId);
    }

    /** The vendor says the request failed or was cancelled (property {@code vendorMessage} says why). */
    public void vendorFailed(Exchange exchange) {
        String message = "request " + exchange.getProperty("requestId") + " "
                + exchange.getProperty("vendorStatus", String.class).toLowerCase() + " at the vendor"
                + suffix(exchange.getProperty("vendorMessage", String.class));
        store.transition(exchange.getProperty("runId", String.class), RunStatus.SUBMITTED, RunStatus.FAILED, message);
        LOG.error("{}: FAILED — {}", exchange.getProperty("jobName"), message);
    }

    /** A status check failed: a refusal fails the run; anything else is retried at a later check. */
    public void pollFailed(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String runId = exchange.getProperty("runId", String.class);
        Object jobName = exchange.getProperty("jobName");
        if (runId == null) {
            LOG.error("status check failed before its run was known: {}", describe(cause));
            return;
        }
        if (cause instanceof VendorRejectedException) {
            String message = "status check of request " + exchange.getProperty("requestId") + " refused: "
                    + describe(cause);
            store.transition(runId, RunStatus.SUBMITTED, RunStatus.FAILED, message);
            LOG.error("{}: FAILED — {}", jobName, message);
            return;
        }
        exchange.setProperty("vendorMessage", "status check failed: " + describe(cause));
        Long retryAfter = cause instanceof RetryableVendorException r ? r.getRetryAfterMillis() : null;
        if (retryAfter != null) {
            exchange.setProperty("notBefore", clock.instant().plusMillis(retryAfter));
        }
        LOG.warn("{}: status check of request {} failed, will check again: {}", jobName,
                exchange.getProperty("requestId"), describe(cause));
        try {
            stillPending(exchange);
        } catch (StateStoreException e) {
            unrecordedChecks.add(runId);
            LOG.warn("{}: the next status check of request {} could not be recorded ({}); it is made due again once"
                    + " the state database answers", jobName, exchange.getProperty("requestId"), describe(e));
        }
    }

    // ---------------------------------------------------------------- download

    /** The files of the run (body: its id) still to fetch; sets the run's exchange properties. */
    public List<RunFile> pendingFiles(Exchange exchange) {
        load(exchange);
        String runId = exchange.getProperty("runId", String.class);
        inProcess.add(runId);
        requireFirstDestination(exchange, runId);
        List<RunFile> all = store.files(runId);
        List<RunFile> pending = all.stream().filter(f -> f.status() == FileStatus.PENDING).toList();
        exchange.setProperty("downloadStarted", clock.instant());
        LOG.info("{}: fetching {} of {} file(s) of request {}", exchange.getProperty("jobName"), pending.size(),
                all.size(), exchange.getProperty("requestId"));
        return pending;
    }

    /**
     * A run's files all land in one place: where its job wrote when the run started (recorded then). A job whose sink
     * (or output folder, bucket, prefix, compression) changed since does not spread the run over two places; its
     * download stops, resumable.
     */
    private void requireFirstDestination(Exchange exchange, String runId) {
        JobDefinition job = exchange.getProperty("job", JobDefinition.class);
        String now = destinations.apply(job);
        String recorded = store.destination(runId, now);
        if (!recorded.equals(now)) {
            throw new SinkRefusedException("run " + runId + " started writing to " + recorded + " and its job now"
                    + " writes to " + now + "; a run's files all go to one place, so set the job's sink (and its"
                    + " settings) back to finish it there; nothing was fetched");
        }
    }

    /**
     * Before each attempt at a file (body: the {@link RunFile}): names it in property {@code fileName}, and in
     * {@code fileNameInUrl} as it goes into a URL path (each segment percent-encoded: a vendor's name is never a query
     * or an escape of ours).
     */
    public void fileAttempt(Exchange exchange) {
        RunFile file = exchange.getMessage().getBody(RunFile.class);
        if (file != null) {
            exchange.setProperty("fileName", file.fileName());
        }
        String fileName = exchange.getProperty("fileName", String.class);
        exchange.setProperty("fileNameInUrl", VendorText.pathSegments(fileName));
        store.fileAttempted(exchange.getProperty("runId", String.class), fileName);
        exchange.setProperty(Landings.FILE_STARTED, System.nanoTime());
        // a name that cannot become a path inside the job's output is refused before anything is fetched
        io.bulkexport.sink.SafePaths.outputName(fileName);
    }

    /** Something other than a file failed while the run was downloading: it ends INCOMPLETE, resumable. */
    public void downloadFailed(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String runId = exchange.getProperty("runId", String.class);
        passEnded(exchange);
        String message = "download stopped: " + describe(cause) + "; files already landed are kept, and starting the"
                + " job again resumes the rest without submitting";
        if (runId != null && store.transition(runId, RunStatus.DOWNLOADING, RunStatus.INCOMPLETE, message)) {
            LOG.error("{}: INCOMPLETE — {}", exchange.getProperty("jobName"), message);
        } else {
            LOG.error("download of run {} failed: {}", runId == null ? exchange.getMessage().getBody() : runId,
                    describe(cause));
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void describe(Exchange exchange, JobDefinition job) {
        exchange.setProperty("job", job);
        exchange.setProperty("jobName", job.name());
        exchange.setProperty("provider", job.provider());
        exchange.setProperty("dataset", job.dataset());
        exchange.setProperty("method", job.method());
        exchange.setProperty("sink", job.sink());
    }

    /** A failure in words, without stack trace. */
    public static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown error";
        }
        // the bundle's own words for a vendor's or a sink's failure, however Camel wrapped it (a split wraps it)
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.bulkexport.vendor.VendorException || t instanceof SinkException) {
                return VendorText.printable(Redaction.withoutQueries(t.getMessage()));
            }
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        // this bundle's own exceptions are written for people; a library's needs its class to make sense
        // ("SocketTimeoutException: Read timed out")
        boolean own = root.getClass().getName().startsWith("io.bulkexport.");
        String text = root.getMessage() == null ? root.getClass().getSimpleName()
                : own ? root.getMessage() : root.getClass().getSimpleName() + ": " + root.getMessage();
        return VendorText.printable(Redaction.withoutQueries(text));
    }

    private static String suffix(String message) {
        return message == null || message.isBlank() ? "" : ": " + message;
    }

    static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 1) {
            return d.toMillis() + " ms";
        }
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return (s / 60) + " min " + (s % 60) + " s";
        }
        return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }
}
