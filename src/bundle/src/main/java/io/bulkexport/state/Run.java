package io.bulkexport.state;

import java.time.Instant;

/**
 * One row of the run table: what the state store knows about one run of a job. {@code owner} is the instance
 * driving it (submitting, polling or downloading), or null; {@code folder} where its files land under the sink's
 * root ({@code bulkexport.layout}), null until its download starts.
 */
public record Run(
        String runId,
        String jobName,
        String provider,
        RunStatus status,
        String requestId,
        String message,
        Instant createdAt,
        Instant submittedAt,
        Instant finishedAt,
        Instant nextPollAt,
        long pollIntervalMillis,
        int pollCount,
        boolean webhookArmed,
        String owner,
        String folder) {
}
