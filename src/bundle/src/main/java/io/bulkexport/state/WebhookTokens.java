package io.bulkexport.state;

import java.time.Clock;

/**
 * The runs' webhook tokens: a vendor's call to the URL holding a run's token brings its status check forward. The
 * token is compared in the database only; nothing reads it back.
 */
public class WebhookTokens {
    /** What a webhook call did: its token names no run of the provider, its run was checked soon, or nothing to do. */
    public enum Outcome { UNKNOWN, CHECK_SOON, NOTHING_TO_DO }

    private final StateJdbc jdbc;
    private final Clock clock;

    WebhookTokens(StateJdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Arms the run's webhook with {@code token}. */
    public void arm(String runId, String token) {
        jdbc.update("UPDATE bulkexport_run SET webhook_token = ? WHERE run_id = ?", token, runId);
    }

    /**
     * A webhook call with this token arrived for this provider: the run's next status check becomes due now, if the
     * run still waits for the vendor, no check is due already, and its last check (claimed by
     * {@link StateStore#claimPoll}) is at least {@code minGapMillis} old or there was none, so that a flood of calls
     * costs at most one check per gap.
     */
    public Outcome called(String provider, String token, long minGapMillis) {
        long now = clock.millis();
        int moved = jdbc.update("UPDATE bulkexport_run SET next_poll_at = ? WHERE webhook_token = ? AND provider = ?"
                        + " AND status = ? AND next_poll_at > ? AND (checked_at IS NULL OR checked_at <= ?)", now,
                token, provider, RunStatus.SUBMITTED.name(), now, now - minGapMillis);
        if (moved > 0) {
            return Outcome.CHECK_SOON;
        }
        return jdbc.first("SELECT 1 AS known FROM bulkexport_run WHERE webhook_token = ? AND provider = ?",
                rs -> rs.getInt("known"), token, provider).isPresent() ? Outcome.NOTHING_TO_DO : Outcome.UNKNOWN;
    }
}
