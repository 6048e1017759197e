package io.bulkexport.state;

/** Sets up a ledger for a test: runs stored as start-job stores them, through the store's own way in. */
public final class TestRuns {
    private TestRuns() {
    }

    /** A new run of the job in SUBMITTING, after its other runs, owned by the store's instance. */
    public static Run create(StateStore store, String job, String provider, String requestId) {
        return store.startRun(job, provider, requestId, store.latestRun(job).map(Run::runId).orElse(null))
                .orElseThrow(() -> new IllegalStateException("another run of " + job + " was started meanwhile"));
    }
}
