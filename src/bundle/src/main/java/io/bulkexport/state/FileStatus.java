package io.bulkexport.state;

/** Where one of a run's files stands. */
public enum FileStatus {
    PENDING,
    DONE,
    /** Could not be fetched after its retries; starting the job again retries it. */
    FAILED,
    /** The vendor no longer serves it (past its expiry): retrying cannot help, only a new run. */
    EXPIRED
}
