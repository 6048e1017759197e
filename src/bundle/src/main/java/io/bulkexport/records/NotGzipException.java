package io.bulkexport.records;

/** A file served as gzip that does not start like one. Not retried: fetching it again gives the same bytes. */
public class NotGzipException extends IllegalStateException implements io.bulkexport.run.Retries.NotRetryable {
    public NotGzipException(String message) {
        super(message);
    }
}
