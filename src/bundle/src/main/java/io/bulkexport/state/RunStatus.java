package io.bulkexport.state;

/**
 * Where a run of a job stands. A run is one paid submission and everything fetched for it.
 */
public enum RunStatus {
    /** Stored before the submission is sent: if the process dies now, nobody knows whether the vendor accepted it. */
    SUBMITTING(false),
    /** The vendor accepted the request and gave its id; waiting for it to be ready. */
    SUBMITTED(false),
    /** The vendor's files are listed; fetching them. */
    DOWNLOADING(false),
    /** Every file landed and the manifest is written. */
    DONE(true),
    /** Some files could not be fetched; the files already landed are kept and a restart retries the rest. */
    INCOMPLETE(true),
    /** The vendor refused or failed the request, or it never became ready in time. */
    FAILED(true),
    /** The outcome of the submission is unknown (the process died or the call broke after sending it): a person decides. */
    NEEDS_ATTENTION(true),
    /** Not submitted: what it may buy does not fit a budget ({@code bulkexport.*.budget.*}). Nothing was paid. */
    OVER_BUDGET(true);

    private final boolean terminal;

    RunStatus(boolean terminal) {
        this.terminal = terminal;
    }

    /** True once nothing more happens to the run without a person or a restart. */
    public boolean isTerminal() {
        return terminal;
    }

    /** True while the run holds the job: a new run of the same job must not start. */
    public boolean isActive() {
        return !terminal;
    }
}
