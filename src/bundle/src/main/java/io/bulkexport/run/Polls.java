package io.bulkexport.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.bulkexport.metrics.ExportMeters;
import io.bulkexport.run.RunExchange.Action;
import io.bulkexport.state.Run;
import io.bulkexport.state.RunStatus;
import io.bulkexport.state.StateStore;
import io.bulkexport.state.StateStoreException;
import io.bulkexport.vendor.RetryableVendorException;
import io.bulkexport.vendor.VendorRejectedException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll stage ({@code routes/poll-status.yaml}): which status checks are due and this instance's, and what the
 * vendor's answer means for the run: the next check later (backing off, within the timeout), the files to fetch,
 * or a failed request.
 */
public class Polls {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.runs");
    /** How long a claimed status check may take before another instance may claim it again. */
    static final Duration POLL_CLAIM = Duration.ofMinutes(2);

    private final StateStore store;
    private final Jobs jobs;
    private final PollPolicy poll;
    private final Clock clock;
    private final ExportMeters meters;
    private final Webhooks webhooks;
    private final RunsInProcess inProcess;
    /**
     * Status checks this instance claimed whose outcome it could not record (the state database failed meanwhile):
     * their claim would hold them back for {@link #POLL_CLAIM}; they are made due again once the database answers.
     */
    private final Set<String> unrecordedChecks = ConcurrentHashMap.newKeySet();

    public Polls(StateStore store, Jobs jobs, PollPolicy poll, Clock clock, ExportMeters meters, Webhooks webhooks,
                 RunsInProcess inProcess) {
        this.store = store;
        this.jobs = jobs;
        this.poll = poll;
        this.clock = clock;
        this.meters = meters;
        this.webhooks = webhooks;
        this.inProcess = inProcess;
    }

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

    /**
     * Sets the exchange properties the provider routes read, for the run whose id is the body. The run id comes first:
     * a check whose run cannot be read (the state database failed) is still known as this instance's claimed check.
     */
    public void load(Exchange exchange) {
        exchange.setProperty(RunExchange.RUN_ID, exchange.getMessage().getBody(String.class));
        loadRun(exchange, store, jobs);
    }

    /** As {@link #load}, for the other stages. */
    static void loadRun(Exchange exchange, StateStore store, Jobs jobs) {
        String runId = exchange.getMessage().getBody(String.class);
        Run run = store.run(runId).orElseThrow(() -> new IllegalStateException("no run " + runId));
        RunExchange.of(exchange).job(jobs.get(run.jobName())).run(run);
    }

    /**
     * Not ready yet: the next check waits longer (up to the ceiling, and not before the vendor's own estimate in
     * property {@code notBefore} if it gave one), unless the run has waited past the timeout.
     */
    public void stillPending(Exchange exchange) {
        RunExchange on = RunExchange.of(exchange);
        Run run = store.run(on.runId()).orElseThrow();
        Instant now = clock.instant();
        Duration waited = Duration.between(run.submittedAt(), now);
        String said = on.vendorMessage();
        if (waited.compareTo(poll.timeout()) > 0) {
            String message = "request " + run.requestId() + " was not ready after " + RunText.human(waited)
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
        Instant notBefore = exchange.getProperty(RunExchange.NOT_BEFORE, Instant.class);
        if (notBefore != null && notBefore.isAfter(next)) {
            // the vendor's estimate, but never past the poll timeout: a far-off date must not park the run for good
            Instant latest = run.submittedAt().plus(poll.timeout());
            next = notBefore.isAfter(latest) ? (latest.isAfter(next) ? latest : next) : notBefore;
        }
        store.reschedulePoll(run.runId(), next, interval, said);
        LOG.info("{}: request {} not ready yet{} — waited {}, next check in {}", run.jobName(), run.requestId(),
                said == null ? "" : " (" + said + ")", RunText.human(waited),
                RunText.human(Duration.between(now, next)));
    }

    /**
     * Ready: the body lists the request's file names; the run moves to downloading them. The {@link Action} becomes
     * DOWNLOAD only for the caller that made that move, so a run is never queued for download twice.
     */
    public void ready(Exchange exchange) {
        RunExchange on = RunExchange.of(exchange);
        String runId = on.runId();
        @SuppressWarnings("unchecked")
        List<String> names = exchange.getMessage().getBody(List.class);
        boolean moved = store.startDownloading(runId, names);
        on.action(moved ? Action.DOWNLOAD : Action.NONE);
        if (moved) {
            inProcess.add(runId); // queued for download here: the heartbeat does not queue it a second time
            Instant submittedAt = on.submittedAt();
            if (submittedAt != null) {
                meters.ready(on.provider(), Duration.between(submittedAt, clock.instant()));
            }
            long distinct = names.stream().distinct().count();
            LOG.info("{}: request {} is ready: {} file(s){}", on.jobName(), on.requestId(), distinct,
                    distinct == names.size() ? ""
                            : " (the vendor listed " + names.size() + " names: each file is fetched once)");
        }
        exchange.getMessage().setBody(runId);
    }

    /** The vendor says the request failed or was cancelled (property {@code vendorMessage} says why). */
    public void vendorFailed(Exchange exchange) {
        RunExchange on = RunExchange.of(exchange);
        String message = "request " + on.requestId() + " "
                + exchange.getProperty(RunExchange.VENDOR_STATUS, String.class).toLowerCase() + " at the vendor"
                + RunText.suffix(on.vendorMessage());
        store.transition(on.runId(), RunStatus.SUBMITTED, RunStatus.FAILED, message);
        LOG.error("{}: FAILED — {}", on.jobName(), message);
    }

    /** A status check failed: a refusal fails the run; anything else is retried at a later check. */
    public void pollFailed(Exchange exchange) {
        RunExchange on = RunExchange.of(exchange);
        Throwable cause = on.failure();
        String runId = on.runId();
        if (runId == null) {
            LOG.error("status check failed before its run was known: {}", RunText.describe(cause));
            return;
        }
        if (on.jobName() == null) {
            // claimed, but the run could not be read: its claim would hold it back, so it is made due again
            unrecordedChecks.add(runId);
            LOG.warn("the status check of run {} failed before the run could be read ({}); it is made due again once"
                    + " the state database answers", runId, RunText.describe(cause));
            return;
        }
        if (cause instanceof VendorRejectedException) {
            String message = "status check of request " + on.requestId() + " refused: " + RunText.describe(cause);
            store.transition(runId, RunStatus.SUBMITTED, RunStatus.FAILED, message);
            LOG.error("{}: FAILED — {}", on.jobName(), message);
            return;
        }
        exchange.setProperty(RunExchange.VENDOR_MESSAGE, "status check failed: " + RunText.describe(cause));
        Long retryAfter = cause instanceof RetryableVendorException r ? r.getRetryAfterMillis() : null;
        if (retryAfter != null) {
            exchange.setProperty(RunExchange.NOT_BEFORE, clock.instant().plusMillis(retryAfter));
        }
        LOG.warn("{}: status check of request {} failed, will check again: {}", on.jobName(), on.requestId(),
                RunText.describe(cause));
        try {
            stillPending(exchange);
        } catch (StateStoreException e) {
            unrecordedChecks.add(runId);
            LOG.warn("{}: the next status check of request {} could not be recorded ({}); it is made due again once"
                    + " the state database answers", on.jobName(), on.requestId(), RunText.describe(e));
        }
    }
}
