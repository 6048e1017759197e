package io.bulkexport.sandbox;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A misbehaviour the sandbox plays instead of, or on top of, its normal answer to one request.
 * Queue faults with {@link FaultQueue}; each is used up by the next matching request.
 */
public sealed interface Fault
        permits Fault.Respond, Fault.Delay, Fault.CutAfterBytes, Fault.TruncateGzip, Fault.AcceptThenDrop,
                Fault.StallAfterBytes, Fault.AnswerLate, Fault.SlowBody {

    /**
     * Answers with this status, JSON body and headers instead of handling the request.
     * Headers are given as name, value, name, value...
     */
    static Respond respond(int status, String jsonBody, String... headerNamesAndValues) {
        if (headerNamesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("headers must come as name/value pairs");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < headerNamesAndValues.length; i += 2) {
            headers.put(headerNamesAndValues[i], headerNamesAndValues[i + 1]);
        }
        return new Respond(status, jsonBody, headers);
    }

    /** Waits this long, then handles the request normally. */
    static Delay delay(Duration duration) {
        return new Delay(duration);
    }

    /**
     * Sends the normal status and headers and the first {@code bytes} bytes of the body,
     * then closes the connection abruptly, so the client sees a broken stream.
     */
    static CutAfterBytes cutAfterBytes(long bytes) {
        return new CutAfterBytes(bytes);
    }

    /**
     * Sends a complete, well-formed HTTP response whose body is only the first {@code bytes}
     * bytes of the normal body, so a gzip body ends early without any HTTP-level error.
     */
    static TruncateGzip truncateGzip(long bytes) {
        return new TruncateGzip(bytes);
    }

    /**
     * Handles the request normally (a submission is recorded and will become ready),
     * then closes the connection without sending any response.
     */
    static AcceptThenDrop acceptThenDrop() {
        return new AcceptThenDrop();
    }

    /**
     * Sends the normal status and headers and the first {@code bytes} bytes of the body, then nothing for
     * {@code stall}, then the rest: a body that stalls mid-way, past a client's read timeout if it is longer.
     */
    static StallAfterBytes stallAfterBytes(long bytes, Duration stall) {
        return new StallAfterBytes(bytes, stall);
    }

    /**
     * Handles the request normally (a submission is recorded and will become ready), then holds the answer back
     * this long before sending it: a client with a shorter response timeout gives up on a request the vendor took.
     */
    static AnswerLate answerLate(Duration late) {
        return new AnswerLate(late);
    }

    /**
     * Sends the normal status and headers at once, then the normal body in chunks of {@code chunkBytes} bytes,
     * pausing before each one, so the client receives the whole body, slowly (e.g. to stop it mid-write).
     */
    static SlowBody slowBody(int chunkBytes, Duration pause) {
        return new SlowBody(chunkBytes, pause);
    }

    /** See {@link Fault#respond}. */
    record Respond(int status, String body, Map<String, String> headers) implements Fault {
        public Respond {
            headers = Map.copyOf(headers);
        }
    }

    /** See {@link Fault#delay}. */
    record Delay(Duration duration) implements Fault {
        public Delay {
            Objects.requireNonNull(duration, "duration");
        }
    }

    /** See {@link Fault#cutAfterBytes}. */
    record CutAfterBytes(long bytes) implements Fault {
        public CutAfterBytes {
            if (bytes < 0) {
                throw new IllegalArgumentException("bytes must be >= 0");
            }
        }
    }

    /** See {@link Fault#truncateGzip}. */
    record TruncateGzip(long bytes) implements Fault {
        public TruncateGzip {
            if (bytes < 0) {
                throw new IllegalArgumentException("bytes must be >= 0");
            }
        }
    }

    /** See {@link Fault#acceptThenDrop}. */
    record AcceptThenDrop() implements Fault {
    }

    /** See {@link Fault#stallAfterBytes}. */
    record StallAfterBytes(long bytes, Duration stall) implements Fault {
        public StallAfterBytes {
            if (bytes < 0) {
                throw new IllegalArgumentException("bytes must be >= 0");
            }
            Objects.requireNonNull(stall, "stall");
        }
    }

    /** See {@link Fault#answerLate}. */
    record AnswerLate(Duration late) implements Fault {
        public AnswerLate {
            Objects.requireNonNull(late, "late");
        }
    }

    /** See {@link Fault#slowBody}. */
    record SlowBody(int chunkBytes, Duration pause) implements Fault {
        public SlowBody {
            Objects.requireNonNull(pause, "pause");
            if (chunkBytes < 1) {
                throw new IllegalArgumentException("chunkBytes must be >= 1");
            }
            if (pause.isNegative()) {
                throw new IllegalArgumentException("pause must not be negative");
            }
        }
    }
}
