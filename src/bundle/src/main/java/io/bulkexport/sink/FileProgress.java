package io.bulkexport.sink;

import io.bulkexport.records.FileResult;
import io.bulkexport.records.RecordFileWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Progress of one file, logged every so often and when it lands. */
final class FileProgress {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.progress");

    private final String job;
    private final String file;
    private final long started;
    private long lastLog;

    FileProgress(String job, String file, long started) {
        this.job = job;
        this.file = file;
        this.started = started;
        this.lastLog = started;
    }

    void batchWritten(RecordFileWriter writer, long intervalNanos) {
        long now = System.nanoTime();
        if (now - lastLog >= intervalNanos) {
            lastLog = now;
            LOG.info("{}: {} — {} records, {} so far ({})", job, file, writer.records(), mb(writer.bytes()),
                    rate(writer.records(), writer.bytes(), now - started));
        }
    }

    /** @param where where the file landed, for the log line */
    void landed(FileResult result, String where) {
        long elapsed = System.nanoTime() - started;
        LOG.info("{}: {} landed{} — {} records{}, {}{} in {} s ({})", job, file, where, result.records(),
                result.quarantined() == 0 ? "" : ", " + result.quarantined() + " quarantined",
                mb(result.bytes()), result.keptSource() ? " (the vendor's gzip, stored as it came)" : "",
                String.format("%.1f", elapsed / 1e9), rate(result.records(), result.bytes(), elapsed));
    }

    private static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }

    private static String rate(long records, long bytes, long nanos) {
        double seconds = Math.max(nanos, 1) / 1e9;
        return String.format("%.0f records/s, %.1f MB/s", records / seconds, bytes / 1e6 / seconds);
    }
}
