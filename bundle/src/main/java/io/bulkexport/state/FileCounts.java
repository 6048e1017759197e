package io.bulkexport.state;

/** A run's files counted: all of them, those landed, failed and expired, and the records and lines set aside. */
public record FileCounts(int total, int landed, int failed, int expired, long records, long quarantined) {
    public static final FileCounts NONE = new FileCounts(0, 0, 0, 0, 0, 0);

    FileCounts plus(FileCounts other) {
        return new FileCounts(total + other.total, landed + other.landed, failed + other.failed,
                expired + other.expired, records + other.records, quarantined + other.quarantined);
    }
}
