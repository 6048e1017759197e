package io.bulkexport.run;

import java.time.Clock;
import java.time.Duration;
import java.util.Date;
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
import io.bulkexport.run.RunExchange.Action;
import io.bulkexport.state.Run;
import io.bulkexport.state.RunStatus;
import io.bulkexport.state.StateStore;
import io.bulkexport.vendor.VendorText;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The submit stage ({@code routes/start-job.yaml}: {@code start-job}): whether starting a job means a new, paid
 * submission, resuming a request, retrying an incomplete run's files or nothing; then the run stored before anything
 * is sent, and the vendor's answer recorded. A submission whose outcome is unknown is never sent again.
 */
public class Submissions {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.runs");
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
    private final RunsInProcess inProcess;
    private final SpendControl spend;
    private final SinceValues since;

    /**
     * @param newRuns jobs the user asked to run again (paid again) although their last run ended; "all" for every job
     * @param attach  request ids submitted outside this instance, by job, to resume instead of submitting
     * @param destinations where a job's files land now, in words (sink and its settings); a run keeps its first
     * @param sinkCheck throws if the job's sink would refuse its files, before anything is submitted or stored
     * @param webhooks  arms a submission's webhook, whose runs are polled at its slower fallback interval
     * @param spend     the budgets a submission must fit, checked as its run is stored
     * @param since     an incremental job's {@code ${variable.since}}
     */
    public Submissions(StateStore store, Jobs jobs, PollPolicy poll, Clock clock, Set<String> newRuns,
                       Map<String, String> attach, Function<JobDefinition, String> destinations,
                       Consumer<JobDefinition> sinkCheck, ExportMeters meters, Webhooks webhooks,
                       RunsInProcess inProcess, SpendControl spend, SinceValues since) {
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
        this.inProcess = inProcess;
        this.spend = spend;
        this.since = since;
    }

    /**
     * Decides what starting the job (body: its name) means now, and sets the {@link Action}: SUBMIT (a new run is
     * due: start-job takes a permit of the provider's rate limit, named by property {@code rateRoute}, then
     * {@link #record}s it), DOWNLOAD (an incomplete run's failed files go back in line; body becomes its run id), or
     * NONE.
     */
    public void prepare(Exchange exchange) {
        String jobName = exchange.getMessage().getBody(String.class);
        JobDefinition job = jobs.get(jobName);
        RunExchange run = RunExchange.of(exchange).job(job).action(Action.NONE);
        boolean scheduled = "schedule".equals(exchange.getProperty(RunExchange.TRIGGER, String.class));
        Date firing = exchange.getProperty(RunExchange.SCHEDULED_AT, Date.class);
        if (scheduled && firing != null && !store.firings().claim(jobName, firing.toInstant())) {
            LOG.info("{}: the firing of {} is another instance's", jobName, firing.toInstant());
            return;
        }
        Optional<Run> latest = store.latestRun(jobName);
        String attachId = attach.get(jobName);
        boolean newRunAsked = newRuns.contains(jobName) || newRuns.contains("all");
        switch (StartDecision.of(job, latest, scheduled, attachId, newRunAsked)) {
            case ANOTHER_IS_ACTIVE -> {
                Run active = latest.get();
                LOG.info("{}: run {} is still {} (request {}): not starting another", jobName, active.runId(),
                        active.status(), active.requestId());
                return;
            }
            case ATTACH -> {
                attach(job, attachId, latest);
                return;
            }
            case RETRY_INCOMPLETE -> {
                retryFailedFiles(run, latest.get());
                return;
            }
            case WAIT_FOR_SCHEDULE -> {
                return; // recurring jobs are submitted on their schedule only
            }
            case ALREADY_ENDED -> {
                Run last = latest.get();
                LOG.info("{}: last run {} ended {} ({}); a one-shot job is not submitted again — set"
                                + " bulkexport.new-run={} for a new, paid run", jobName, last.runId(), last.status(),
                        last.message() == null ? "request " + last.requestId() : last.message(), jobName);
                return;
            }
            case SUBMIT -> {
                // a new, paid submission: the provider's rate route and record() come next
            }
        }
        sinkCheck.accept(job); // a refusal ends here: nothing stored, nothing sent, the next start tries again
        ProviderSpec provider = exchange.getContext().getRegistry().lookupByNameAndType(job.provider(),
                ProviderSpec.class);
        exchange.setProperty(RunExchange.RATE_ROUTE, ProviderDeclarations.rateRouteOf(provider));
        exchange.setProperty(LATEST_RUN, latest.map(Run::runId).orElse(null));
        run.action(Action.SUBMIT);
    }

    private void attach(JobDefinition job, String requestId, Optional<Run> latest) {
        Optional<Run> attached = store.startRun(job.name(), job.provider(), requestId,
                latest.map(Run::runId).orElse(null));
        if (attached.isEmpty()) {
            startedElsewhere(job.name());
            return;
        }
        Run run = attached.get();
        store.markSubmitted(run.runId(), requestId, clock.instant(), poll.firstInterval().toMillis());
        store.destination(run.runId(), destinations.apply(job));
        LOG.info("{}: attached to existing request {} (run {}): checking its status, nothing is submitted",
                job.name(), requestId, run.runId());
    }

    private void retryFailedFiles(RunExchange exchange, Run run) {
        if (store.transition(run.runId(), RunStatus.INCOMPLETE, RunStatus.DOWNLOADING, null)) {
            store.own(run.runId());
            inProcess.add(run.runId());
            int retried = store.files().retryFailed(run.runId());
            LOG.info("{}: run {} was incomplete: retrying its {} failed file(s), nothing is submitted", run.jobName(),
                    run.runId(), retried);
            exchange.action(Action.DOWNLOAD);
            exchange.exchange().getMessage().setBody(run.runId());
        }
    }

    /**
     * Stores the run that {@link #prepare} found due, in SUBMITTING, committed before anything is sent: the
     * start-job route sends it right after, with the rate-limit permit it holds already. The action becomes NONE if
     * another instance started a run of the job meanwhile.
     */
    public void record(Exchange exchange) {
        RunExchange on = RunExchange.of(exchange);
        JobDefinition job = on.job();
        String jobName = job.name();
        // a request id the bundle makes is random (never derived from the job or the user) and stored before sending
        String requestId = job.clientRequestId() ? UUID.randomUUID().toString() : null;
        // read before the run is stored: a run stored is one whose sending may have begun
        String sinceValue = since.next(job);
        Optional<Run> started = store.startRun(jobName, job.provider(), requestId,
                exchange.getProperty(LATEST_RUN, String.class), spend.of(job));
        if (started.isEmpty()) {
            on.action(Action.NONE);
            startedElsewhere(jobName);
            return;
        }
        Run run = started.get();
        if (run.status() == RunStatus.OVER_BUDGET) {
            on.action(Action.NONE);
            LOG.warn("{}: OVER BUDGET — {} (run {}; {})", jobName, run.message(), run.runId(), job.isOnce()
                    ? "the next start tries again" : "its next firing tries again");
            return;
        }
        store.destination(run.runId(), destinations.apply(job));
        exchange.setProperty(RunExchange.RUN_ID, run.runId());
        on.requestId(requestId).action(Action.SUBMIT);
        Optional<String> webhook = webhooks.arm(run.runId(), job.provider());
        webhook.ifPresent(url -> exchange.setProperty(RunExchange.WEBHOOK_URL, url));
        exchange.setProperty(RunExchange.SINCE, sinceValue);
        LOG.info("{}: submitting a {} {}/{} request{}{}{}{} (run {})", jobName, job.provider(), job.dataset(),
                job.method(), job.limit() == null ? "" : " limited to " + job.limit() + " records",
                requestId == null ? "" : " with request id " + requestId,
                webhook.isPresent() ? ", with a webhook" : "",
                !job.usesSince() ? "" : sinceValue == null ? ", for everything (no DONE run yet)"
                        : ", for what changed since " + sinceValue, run.runId());
    }

    private static void startedElsewhere(String jobName) {
        LOG.info("{}: another instance has just started a run of this job: it is left to that one", jobName);
    }

    /** The vendor accepted the submission: its request id (exchange property {@code requestId}) is stored. */
    public void submitted(Exchange exchange) {
        RunExchange on = RunExchange.of(exchange);
        String runId = on.runId();
        String requestId = on.requestId();
        if (requestId == null || requestId.isBlank()) {
            throw new IllegalStateException("the vendor's answer to the submission holds no request id");
        }
        // accepted, so maybe charged: an id that is not one needs a person (NEEDS_ATTENTION), never a new submission
        VendorText.requestId(requestId, "the vendor's answer to the submission");
        boolean webhook = exchange.getProperty(RunExchange.WEBHOOK_URL) != null;
        long interval = (webhook ? webhooks.pollInterval() : poll.firstInterval()).toMillis();
        meters.submitted(on.provider());
        if (!store.markSubmitted(runId, requestId, clock.instant().plusMillis(interval), interval)) {
            // this instance's lease lapsed while it was sending, and another settled the run as unknown meanwhile
            LOG.error("{}: request {} was accepted, but its run {} had been settled meanwhile as {} (this instance's"
                            + " lease lapsed while it was submitting): resume the request with"
                            + " -Dbulkexport.attach.{}={}; nothing is submitted again", on.jobName(),
                    requestId, runId, store.run(runId).map(Run::status).orElse(null), on.jobName(), requestId);
            return;
        }
        LOG.info("{}: request {} accepted; first status check in {}{}", on.jobName(), requestId,
                RunText.human(Duration.ofMillis(interval)), webhook ? " unless the vendor's webhook call comes first"
                        : "");
    }

    /** The submission failed: refused for sure (FAILED), or with an unknown outcome (NEEDS_ATTENTION). */
    public void submitFailed(Exchange exchange) {
        RunExchange on = RunExchange.of(exchange);
        String jobName = on.jobName();
        String runId = on.runId();
        Throwable cause = on.failure();
        if (runId == null) {
            LOG.error("{}: cannot start: {}", jobName, RunText.describe(cause));
            return;
        }
        if (Retries.surelyNotAccepted(cause)) {
            String message = "submission refused: " + RunText.describe(cause);
            store.transition(runId, RunStatus.SUBMITTING, RunStatus.FAILED, message);
            LOG.error("{}: FAILED — {}", jobName, message);
        } else {
            String message = "the submission's outcome is unknown (" + RunText.describe(cause) + "): the vendor may"
                    + " have accepted and charged it, so it is not sent again. "
                    + RunText.resolution(jobName, on.requestId());
            store.transition(runId, RunStatus.SUBMITTING, RunStatus.NEEDS_ATTENTION, message);
            LOG.error("{}: NEEDS ATTENTION — {}", jobName, message);
        }
    }
}
