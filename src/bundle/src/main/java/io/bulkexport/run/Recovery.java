package io.bulkexport.run;

import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.bulkexport.job.JobDefinition;
import io.bulkexport.state.Run;
import io.bulkexport.state.RunStatus;
import io.bulkexport.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up and heartbeat ({@code routes/start-job.yaml}: {@code startup}, {@code instance-heartbeat}): what a
 * stopped process left behind is settled or taken over, for this instance's jobs. A run whose instance is alive (its
 * lease in the state database is live) is left to it.
 */
public class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.runs");

    private final StateStore store;
    private final Jobs jobs;
    private final Clock clock;
    private final RunsInProcess inProcess;

    public Recovery(StateStore store, Jobs jobs, Clock clock, RunsInProcess inProcess) {
        this.store = store;
        this.jobs = jobs;
        this.clock = clock;
        this.inProcess = inProcess;
    }

    /**
     * Settles the submissions a stopped process left (see {@link #settleSubmissions}); the requests it was waiting
     * for are checked now. Returns the jobs to start (start-job decides what that means for each: a one-shot job may
     * be submitted, an incomplete run retried, a recurring job waits for its time).
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
                        + " answer: it may have been accepted and charged. "
                        + RunText.resolution(run.jobName(), run.requestId());
                if (store.abandonSubmission(run.runId(), message)) {
                    LOG.error("{}: NEEDS ATTENTION — {}", run.jobName(), message);
                }
            }
        }
    }

    /**
     * Downloads of this instance's jobs for this process to take part in, marked as in process: runs a stopped
     * instance owned (taken over by one instance: it also writes the manifest if the files are all there), and runs
     * with files that no live instance has claimed (any instance with the job shares those out, a file each).
     */
    public List<String> downloadsToResume() {
        Set<String> runs = new LinkedHashSet<>();
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
        runs.forEach(inProcess::add);
        return List.copyOf(runs);
    }
}
