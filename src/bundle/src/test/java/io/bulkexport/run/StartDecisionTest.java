package io.bulkexport.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import io.bulkexport.job.JobDefinition;
import io.bulkexport.state.Run;
import io.bulkexport.state.RunStatus;
import org.junit.jupiter.api.Test;

/** What starting a job means, for each latest run and each thing the user may ask (a table of the paid decisions). */
class StartDecisionTest {
    private static final JobDefinition ONCE = job(JobDefinition.ONCE);
    private static final JobDefinition NIGHTLY = job("0 0 6 * * ?");

    @Test
    void should_submit_a_one_shot_job_that_never_ran_and_never_submit_it_again_unless_asked() {
        assertThat(StartDecision.of(ONCE, Optional.empty(), false, null, false)).isEqualTo(StartDecision.SUBMIT);
        assertThat(StartDecision.of(ONCE, latest(RunStatus.DONE, "r-1"), false, null, false))
                .isEqualTo(StartDecision.ALREADY_ENDED);
        assertThat(StartDecision.of(ONCE, latest(RunStatus.FAILED, "r-1"), false, null, false))
                .isEqualTo(StartDecision.ALREADY_ENDED);
        assertThat(StartDecision.of(ONCE, latest(RunStatus.NEEDS_ATTENTION, "r-1"), false, null, false))
                .as("an unknown outcome is never sent again by itself").isEqualTo(StartDecision.ALREADY_ENDED);
        assertThat(StartDecision.of(ONCE, latest(RunStatus.DONE, "r-1"), false, null, true))
                .as("bulkexport.new-run").isEqualTo(StartDecision.SUBMIT);
    }

    @Test
    void should_resume_what_is_active_whatever_was_asked() {
        for (RunStatus active : new RunStatus[] {RunStatus.SUBMITTING, RunStatus.SUBMITTED, RunStatus.DOWNLOADING}) {
            assertThat(StartDecision.of(ONCE, latest(active, "r-1"), false, "r-2", true)).as(active.name())
                    .isEqualTo(StartDecision.ANOTHER_IS_ACTIVE);
            assertThat(StartDecision.of(NIGHTLY, latest(active, "r-1"), true, null, false)).as(active.name())
                    .isEqualTo(StartDecision.ANOTHER_IS_ACTIVE);
        }
    }

    @Test
    void should_attach_a_request_the_job_has_not_run_and_retry_an_incomplete_run_for_free() {
        assertThat(StartDecision.of(ONCE, latest(RunStatus.DONE, "r-1"), false, "r-2", false))
                .isEqualTo(StartDecision.ATTACH);
        assertThat(StartDecision.of(ONCE, latest(RunStatus.DONE, "r-2"), false, "r-2", false))
                .as("attached already").isEqualTo(StartDecision.ALREADY_ENDED);
        assertThat(StartDecision.of(ONCE, latest(RunStatus.NEEDS_ATTENTION, "r-2"), false, "r-2", false))
                .as("the request a run died submitting, found in the vendor's account").isEqualTo(StartDecision.ATTACH);
        assertThat(StartDecision.of(ONCE, latest(RunStatus.INCOMPLETE, "r-1"), false, null, false))
                .isEqualTo(StartDecision.RETRY_INCOMPLETE);
        assertThat(StartDecision.of(ONCE, latest(RunStatus.INCOMPLETE, "r-1"), false, null, true))
                .as("a new run asked for instead").isEqualTo(StartDecision.SUBMIT);
    }

    @Test
    void should_submit_a_recurring_job_at_its_firings_only() {
        assertThat(StartDecision.of(NIGHTLY, Optional.empty(), false, null, false))
                .isEqualTo(StartDecision.WAIT_FOR_SCHEDULE);
        assertThat(StartDecision.of(NIGHTLY, latest(RunStatus.DONE, "r-1"), true, null, false))
                .isEqualTo(StartDecision.SUBMIT);
        assertThat(StartDecision.of(NIGHTLY, latest(RunStatus.INCOMPLETE, "r-1"), false, null, false))
                .as("at start-up: its files retried").isEqualTo(StartDecision.RETRY_INCOMPLETE);
        assertThat(StartDecision.of(NIGHTLY, latest(RunStatus.INCOMPLETE, "r-1"), true, null, false))
                .as("at a firing: a new run").isEqualTo(StartDecision.SUBMIT);
    }

    private static JobDefinition job(String schedule) {
        return new JobDefinition("job", null, "coresignal", "employee_clean", "es_dsl", null, 100L, schedule, "file",
                null, false, "json", Map.of(), Map.of(), false, JobDefinition.Incremental.NONE, null);
    }

    private static Optional<Run> latest(RunStatus status, String requestId) {
        return Optional.of(new Run("run-1", "job", "coresignal", status, requestId, null, Instant.EPOCH, Instant.EPOCH,
                null, null, 0, 0, false, null, null));
    }
}
