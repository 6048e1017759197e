package io.bulkexport.sandbox;

import com.sun.net.httpserver.HttpExchange;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * One request as a sandbox handler sees it: request accessors plus response methods that log the
 * answered status and play any body-level {@link Fault} imposed on this request.
 */
public final class SandboxExchange {

    /** Content length to pass to {@link #respondStream} when the body is streamed (chunked). */
    public static final long UNKNOWN_LENGTH = -1;

    /** Signals that the body reached the byte limit of a cut or truncate fault. */
    static final class BodyLimitReached extends IOException {
        BodyLimitReached() {
            super("sandbox fault: body byte limit reached");
        }
    }

    /** Thrown out of the HTTP handler so that the server closes the connection without finishing. */
    static final class ConnectionDropped extends IOException {
        ConnectionDropped() {
            super("sandbox fault: connection dropped");
        }
    }

    private final HttpExchange http;
    private final RequestLog log;
    private final long arrivalNanos = System.nanoTime();
    private volatile EndpointKind kind;
    private Map<String, String> pathParams = Map.of();
    private byte[] body;
    private Fault bodyFault;
    private boolean dropInsteadOfResponding;
    private Duration answerLate;
    private volatile int answeredStatus = LoggedRequest.IN_PROGRESS;
    private boolean responded;
    private OutputStream responseBody;

    SandboxExchange(HttpExchange http, RequestLog log) {
        this.http = http;
        this.log = log;
    }

    /** HTTP method, upper case. */
    public String method() {
        return http.getRequestMethod();
    }

    /** Request path exactly as received (still percent-encoded). */
    public String path() {
        return http.getRequestURI().getRawPath();
    }

    /** The query string exactly as received (still percent-encoded), or null. */
    public String rawQuery() {
        return http.getRequestURI().getRawQuery();
    }

    /** The decoded value of a {@code {name}} placeholder of the matched route, or null. */
    public String pathParam(String name) {
        return pathParams.get(name);
    }

    /** The decoded value of a query parameter (the first, if repeated), or null. */
    public String queryParam(String name) {
        String query = http.getRequestURI().getRawQuery();
        if (query == null) {
            return null;
        }
        for (String parameter : query.split("&")) {
            int eq = parameter.indexOf('=');
            String key = eq < 0 ? parameter : parameter.substring(0, eq);
            if (SandboxHttp.percentDecode(key.replace("+", "%20")).equals(name)) {
                return eq < 0 ? "" : java.net.URLDecoder.decode(parameter.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** First value of a request header, or null. */
    public String header(String name) {
        return http.getRequestHeaders().getFirst(name);
    }

    /** The endpoint kind of the matched route, or null if none matched. */
    public EndpointKind kind() {
        return kind;
    }

    /** The whole request body (read once, then cached). */
    public byte[] body() throws IOException {
        if (body == null) {
            body = http.getRequestBody().readAllBytes();
        }
        return body;
    }

    /** The request body decoded as UTF-8. */
    public String bodyAsString() throws IOException {
        return new String(body(), StandardCharsets.UTF_8);
    }

    /** Answers with a JSON body. */
    public void respondJson(int status, String json) throws IOException {
        respondJson(status, json, Map.of());
    }

    /** Answers with a JSON body and extra headers. */
    public void respondJson(int status, String json, Map<String, String> headers) throws IOException {
        byte[] bytes = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        OutputStream out = begin(status, "application/json", bytes.length, headers);
        out.write(bytes);
    }

    /** Answers with a body of any type (e.g. a storage service's XML error). */
    public void respond(int status, String contentType, byte[] body) throws IOException {
        OutputStream out = begin(status, contentType, body.length, Map.of());
        out.write(body);
    }

    /**
     * Sends status and headers and returns the stream to write the body to; pass
     * {@link #UNKNOWN_LENGTH} to stream with chunked transfer. The sandbox closes the stream.
     */
    public OutputStream respondStream(int status, String contentType, long contentLength) throws IOException {
        return begin(status, contentType, contentLength, Map.of());
    }

    /** Closes the connection without answering (or without finishing the answer already begun). */
    public void dropConnection() throws IOException {
        if (!responded) {
            responded = true;
            logStatus(LoggedRequest.NO_RESPONSE);
        } else if (responseBody != null) {
            responseBody.flush();
        }
        throw new ConnectionDropped();
    }

    private OutputStream begin(int status, String contentType, long contentLength, Map<String, String> headers)
            throws IOException {
        if (responded) {
            throw new IllegalStateException("response already started for " + path());
        }
        if (dropInsteadOfResponding) {
            dropConnection();
        }
        if (answerLate != null) {
            try {
                Thread.sleep(answerLate.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                dropConnection();
            }
        }
        long length = contentLength;
        if (bodyFault instanceof Fault.TruncateGzip truncate && length >= 0) {
            length = Math.min(length, truncate.bytes());
        }
        if (contentType != null) {
            http.getResponseHeaders().set("Content-Type", contentType);
        }
        headers.forEach((name, value) -> http.getResponseHeaders().set(name, value));
        responded = true;
        logStatus(status);
        // HttpExchange's convention: 0 means chunked, -1 means no body at all.
        http.sendResponseHeaders(status, length < 0 ? 0 : length == 0 ? -1 : length);
        OutputStream out = new NonClosingOutputStream(http.getResponseBody());
        if (bodyFault instanceof Fault.CutAfterBytes cut) {
            out = new ByteLimit(out, cut.bytes());
        } else if (bodyFault instanceof Fault.TruncateGzip truncate) {
            out = new ByteLimit(out, truncate.bytes());
        } else if (bodyFault instanceof Fault.StallAfterBytes stall) {
            out = new StallAfter(out, stall.bytes(), stall.stall());
        } else if (bodyFault instanceof Fault.SlowBody slow) {
            out = new Trickle(out, slow.chunkBytes(), slow.pause());
        }
        responseBody = out;
        return out;
    }

    private void logStatus(int status) {
        answeredStatus = status;
        log.add(new LoggedRequest(method(), path(), kind, status, arrivalNanos));
    }

    /** This request while still in flight: the status sent so far, or {@link LoggedRequest#IN_PROGRESS}. */
    LoggedRequest inFlight() {
        return new LoggedRequest(method(), path(), kind, answeredStatus, arrivalNanos);
    }

    void bind(EndpointKind routeKind, Map<String, String> params) {
        this.kind = routeKind;
        this.pathParams = Map.copyOf(params);
    }

    /** Arranges for a body-level or drop fault to be played when the handler answers. */
    void impose(Fault fault) {
        if (fault instanceof Fault.AcceptThenDrop) {
            dropInsteadOfResponding = true;
        } else if (fault instanceof Fault.AnswerLate late) {
            answerLate = late.late();
        } else if (fault instanceof Fault.CutAfterBytes || fault instanceof Fault.TruncateGzip
                || fault instanceof Fault.StallAfterBytes || fault instanceof Fault.SlowBody) {
            bodyFault = fault;
        } else {
            throw new IllegalArgumentException("not a body-level fault: " + fault);
        }
    }

    boolean hasResponded() {
        return responded;
    }

    /** Ends the exchange normally (terminating a chunked body). */
    void complete() {
        http.close();
    }

    /** Ends an exchange whose body hit the fault's byte limit: cleanly for truncate, abruptly for cut. */
    void completeAfterBodyLimit() throws IOException {
        if (bodyFault instanceof Fault.CutAfterBytes) {
            dropConnection();
        }
        complete();
    }

    /** Passes through at most {@code limit} bytes, then flushes and reports {@link BodyLimitReached}. */
    private static final class ByteLimit extends FilterOutputStream {
        private final long limit;
        private long written;

        ByteLimit(OutputStream out, long limit) {
            super(out);
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int allowed = (int) Math.min(len, limit - written);
            if (allowed > 0) {
                out.write(b, off, allowed);
                written += allowed;
            }
            if (allowed < len) {
                out.flush();
                throw new BodyLimitReached();
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    /** Passes through the first {@code after} bytes, flushes them, waits {@code stall}, then passes the rest. */
    private static final class StallAfter extends FilterOutputStream {
        private final long after;
        private final Duration stall;
        private long written;
        private boolean stalled;

        StallAfter(OutputStream out, long after, Duration stall) {
            super(out);
            this.after = after;
            this.stall = stall;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int before = stalled ? len : (int) Math.min(len, after - written);
            out.write(b, off, before);
            written += before;
            if (before < len) {
                out.flush();
                try {
                    Thread.sleep(stall.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("sandbox stopped during a stall");
                }
                stalled = true;
                out.write(b, off + before, len - before);
                written += len - before;
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    /** Passes everything through in chunks of {@code chunkBytes}, each flushed after a pause. */
    private static final class Trickle extends FilterOutputStream {
        private final int chunkBytes;
        private final long pauseMillis;
        private int inChunk;

        Trickle(OutputStream out, int chunkBytes, Duration pause) {
            super(out);
            this.chunkBytes = chunkBytes;
            this.pauseMillis = pause.toMillis();
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int from = off;
            int left = len;
            while (left > 0) {
                if (inChunk == 0) {
                    pause();
                }
                int n = Math.min(left, chunkBytes - inChunk);
                out.write(b, from, n);
                from += n;
                left -= n;
                inChunk += n;
                if (inChunk == chunkBytes) {
                    out.flush();
                    inChunk = 0;
                }
            }
        }

        private void pause() throws IOException {
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("sandbox fault: slow body interrupted");
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
