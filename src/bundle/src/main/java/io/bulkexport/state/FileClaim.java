package io.bulkexport.state;

/**
 * This instance's claim of one file of a run: the fencing token of the attempts made under it. Every (re)claim of a
 * file raises its {@code epoch} in the ledger, so a claim taken over by another instance, or given up when this
 * instance found its lease lapsed, no longer matches: {@link StateStore#landFile} and {@link StateStore#fileFailed}
 * refuse it. The claim is also revoked here, in memory, when this instance learns it may have lost it, so that a
 * download in flight stops at its next batch instead of at the publish.
 */
public final class FileClaim {
    private final String runId;
    private final String fileName;
    private final long epoch;
    private volatile boolean revoked;

    public FileClaim(String runId, String fileName, long epoch) {
        this.runId = runId;
        this.fileName = fileName;
        this.epoch = epoch;
    }

    public String runId() {
        return runId;
    }

    public String fileName() {
        return fileName;
    }

    /** The fencing token: the ledger's count of claims of this file when this one was taken. */
    public long epoch() {
        return epoch;
    }

    /** This instance may have lost the claim (its lease lapsed): attempts under it stop. */
    public void revoke() {
        revoked = true;
    }

    public boolean revoked() {
        return revoked;
    }

    @Override
    public String toString() {
        return fileName + " (claim " + epoch + ")";
    }
}
