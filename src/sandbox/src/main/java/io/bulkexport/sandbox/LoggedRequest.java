package io.bulkexport.sandbox;

/**
 * One request the sandbox received: its method, raw path, endpoint kind (null if no route matched),
 * the status answered ({@link #NO_RESPONSE} if the connection was dropped instead; {@link #IN_PROGRESS} for a
 * request in flight not answered yet) and {@link System#nanoTime()} at its arrival.
 */
public record LoggedRequest(String method, String path, EndpointKind kind, int status, long arrivalNanos) {

    /** Status recorded for a request whose connection was closed without any response. */
    public static final int NO_RESPONSE = -1;

    /** Status of a request in flight that has not been answered yet (see {@code inFlight()} of the sandboxes). */
    public static final int IN_PROGRESS = 0;
}
