package io.bulkexport.sandbox;

/**
 * One request the sandbox received: its method, raw path, endpoint kind (null if no route matched),
 * the status answered ({@link #NO_RESPONSE} if the connection was dropped instead) and
 * {@link System#nanoTime()} at its arrival.
 */
public record LoggedRequest(String method, String path, EndpointKind kind, int status, long arrivalNanos) {

    /** Status recorded for a request whose connection was closed without any response. */
    public static final int NO_RESPONSE = -1;
}
