package io.bulkexport.sink;

/** The store could not be reached or failed for the moment: the file is worth trying again. */
public class SinkUnavailableException extends SinkException {
    public SinkUnavailableException(String message) {
        super(message);
    }
}
