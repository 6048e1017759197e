package io.bulkexport.state;

/** One of the files a run's request produced, and what landing it gave. */
public record RunFile(
        String runId,
        String fileName,
        int position,
        FileStatus status,
        long records,
        long bytes,
        long quarantined,
        String sha256,
        String outputPath,
        int attempts,
        String message) {
}
