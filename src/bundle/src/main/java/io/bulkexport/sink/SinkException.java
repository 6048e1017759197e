package io.bulkexport.sink;

/** A sink could not store a file. The message is one line meant for the user and never holds a credential. */
public abstract class SinkException extends RuntimeException {
    protected SinkException(String message) {
        super(message);
    }
}
