package io.bulkexport.run;

import java.util.Optional;

import io.bulkexport.job.JobDefinition;
import io.bulkexport.state.Run;
import io.bulkexport.state.RunStatus;

/**
 * What starting a job means now, from its latest run and what the user asked: decided here only, for start-job
 * ({@link Submissions#prepare}) and for the plan ({@link Plan}), so the plan says what a start would do.
 */
enum StartDecision {
    /** its latest run is still active: it is resumed, nothing new is started */
    ANOTHER_IS_ACTIVE,
    /** {@code bulkexport.attach.<job>} names a request this job has not run yet: it is resumed, nothing submitted */
    ATTACH,
    /** its latest run is INCOMPLETE: the failed files are fetched again, nothing submitted */
    RETRY_INCOMPLETE,
    /** a recurring job outside its schedule: submitted at its next firing only */
    WAIT_FOR_SCHEDULE,
    /** a one-shot job whose latest run ended: not paid for again unless {@code bulkexport.new-run} asks */
    ALREADY_ENDED,
    /** a new, paid submission */
    SUBMIT;

    /**
     * @param scheduled   a firing of the job's schedule (not a start-up)
     * @param attachId    the request id {@code bulkexport.attach.<job>} names, or null
     * @param newRunAsked {@code bulkexport.new-run} names the job (or all)
     */
    static StartDecision of(JobDefinition job, Optional<Run> latest, boolean scheduled, String attachId,
                            boolean newRunAsked) {
        if (latest.isPresent() && latest.get().status().isActive()) {
            return ANOTHER_IS_ACTIVE;
        }
        // attach unless the latest run already holds that request (a run that died while submitting a request id
        // made here holds it too, but never got to use it)
        if (attachId != null && latest.map(run -> !attachId.equals(run.requestId())
                || run.status() == RunStatus.NEEDS_ATTENTION).orElse(true)) {
            return ATTACH;
        }
        if (latest.isPresent() && latest.get().status() == RunStatus.INCOMPLETE && !scheduled && !newRunAsked) {
            return RETRY_INCOMPLETE;
        }
        if (!job.isOnce() && !scheduled) {
            return WAIT_FOR_SCHEDULE;
        }
        // a run refused for its budget bought nothing: the job is tried again
        if (latest.isPresent() && job.isOnce() && !newRunAsked && latest.get().status() != RunStatus.OVER_BUDGET) {
            return ALREADY_ENDED;
        }
        return SUBMIT;
    }
}
