package io.bulkexport.sink;

/** The store refused the file for a reason a retry cannot fix (a missing bucket, credentials, permissions). */
public class SinkRefusedException extends SinkException {
    public SinkRefusedException(String message) {
        super(message);
    }
}
