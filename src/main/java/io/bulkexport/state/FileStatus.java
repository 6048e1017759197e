package io.bulkexport.state;

/** Where one of a run's files stands. */
public enum FileStatus {
    PENDING, DONE, FAILED
}
