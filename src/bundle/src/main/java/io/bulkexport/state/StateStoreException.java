package io.bulkexport.state;

/** The state database could not be read or written. */
public class StateStoreException extends RuntimeException {
    public StateStoreException(String message) {
        super(message);
    }

    public StateStoreException(String message, Throwable cause) {
        super(message + ": " + cause.getMessage(), cause);
    }
}
