package io.bulkexport.state;

/** A run's files counted: all of them, those landed, failed and expired, and the records and lines set aside. */
public record FileCounts(int total, int landed, int failed, int expired, long records, long quarantined) {
    public static final FileCounts NONE = new FileCounts(0, 0, 0, 0, 0, 0);

    /** The counts of these files (one run's). */
    public static FileCounts of(java.util.List<RunFile> files) {
        FileCounts counts = NONE;
        for (RunFile file : files) {
            counts = counts.plus(new FileCounts(1, file.status() == FileStatus.DONE ? 1 : 0,
                    file.status() == FileStatus.FAILED ? 1 : 0, file.status() == FileStatus.EXPIRED ? 1 : 0,
                    file.records(), file.quarantined()));
        }
        return counts;
    }

    FileCounts plus(FileCounts other) {
        return new FileCounts(total + other.total, landed + other.landed, failed + other.failed,
                expired + other.expired, records + other.records, quarantined + other.quarantined);
    }
}
