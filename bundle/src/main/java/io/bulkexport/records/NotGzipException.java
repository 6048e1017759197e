package io.bulkexport.records;

/**
 * A file served as gzip that does not start like one. Not retried: fetching it again gives the same bytes. It has no
 * cause on purpose: the error handling looks at causes first, and an {@link java.io.IOException} there would make
 * it a retryable download failure.
 */
public class NotGzipException extends IllegalStateException {
    public NotGzipException(String message) {
        super(message);
    }
}
