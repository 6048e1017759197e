package io.bulkexport.job;

import java.nio.file.Path;

/**
 * One export job, as declared in a job file under {@code config/}: which provider, dataset and method, the request
 * it sends, an optional record limit, when it runs and where its records land.
 *
 * @param requestBody  the submission as it will be sent: a JSON document, or the uploaded file's bytes
 * @param upload       true when the request is a file uploaded as it is (a CSV of ids), not a JSON query
 */
public record JobDefinition(
        String name,
        Path file,
        String provider,
        String dataset,
        String method,
        Path request,
        Long limit,
        String schedule,
        String sink,
        byte[] requestBody,
        boolean upload) {

    public static final String ONCE = "once";

    /** True for a one-shot job; false for a recurring job with a cron schedule. */
    public boolean isOnce() {
        return ONCE.equals(schedule);
    }

    @Override
    public String toString() {
        return name;
    }
}
