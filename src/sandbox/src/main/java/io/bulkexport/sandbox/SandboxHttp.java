package io.bulkexport.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Vendor-neutral HTTP plumbing for sandboxes: a loopback-only {@link HttpServer}, a router of path
 * templates, an authentication guard, the request log and fault playing. Vendor classes only add routes.
 */
public final class SandboxHttp {

    /** Answers one routed request. */
    @FunctionalInterface
    public interface Handler {
        void handle(SandboxExchange exchange) throws IOException;
    }

    /** Decides whether a routed request may proceed; when it may not, it must answer the request itself. */
    @FunctionalInterface
    public interface Guard {
        boolean admit(SandboxExchange exchange) throws IOException;
    }

    private record Route(String method, Pattern pattern, List<String> params, EndpointKind kind,
                         ToIntFunction<SandboxExchange> fileIndexOf, Handler handler) {
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)(\\.\\.\\.)?}");

    private final RequestLog log;
    private final FaultQueue faults;
    private final int threads;
    private final List<Route> routes = new ArrayList<>();
    private final Set<SandboxExchange> inFlight = ConcurrentHashMap.newKeySet();
    private Guard guard = exchange -> true;
    private volatile Map<String, String> extraHeaders = Map.of();
    private HttpServer server;
    private ExecutorService executor;

    /** Creates plumbing that logs to {@code log}, plays faults from {@code faults} and serves with {@code threads} threads. */
    public SandboxHttp(RequestLog log, FaultQueue faults, int threads) {
        this.log = log;
        this.faults = faults;
        this.threads = threads;
    }

    /**
     * Adds a route. In the template, {@code {name}} matches one path segment and {@code {name...}}
     * matches the rest of the path, slashes included; values are percent-decoded.
     */
    public SandboxHttp route(String method, String template, EndpointKind kind, Handler handler) {
        return route(method, template, kind, exchange -> FaultQueue.NO_FILE, handler);
    }

    /** Adds a route whose requests concern a file, so that faults can target that file's index. */
    public SandboxHttp route(String method, String template, EndpointKind kind,
                             ToIntFunction<SandboxExchange> fileIndexOf, Handler handler) {
        List<String> params = new ArrayList<>();
        StringBuilder regex = new StringBuilder();
        Matcher placeholder = PLACEHOLDER.matcher(template);
        int last = 0;
        while (placeholder.find()) {
            regex.append(Pattern.quote(template.substring(last, placeholder.start())));
            regex.append(placeholder.group(2) == null ? "([^/]+)" : "(.+)");
            params.add(placeholder.group(1));
            last = placeholder.end();
        }
        regex.append(Pattern.quote(template.substring(last)));
        routes.add(new Route(method, Pattern.compile(regex.toString()), params, kind, fileIndexOf, handler));
        return this;
    }

    /** Sets the guard every routed request passes before faults and handlers (authentication). */
    public SandboxHttp guard(Guard guard) {
        this.guard = guard;
        return this;
    }

    /** Adds these headers to every answer from now on, whatever it is: how a test plays a vendor's odd headers. */
    public SandboxHttp sendOnEveryAnswer(Map<String, String> headers) {
        this.extraHeaders = Map.copyOf(headers);
        return this;
    }

    /** Starts listening on 127.0.0.1 at this port (0 picks a free one). */
    public void start(int port) {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 128);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
        executor = Executors.newFixedThreadPool(threads, daemonThreads());
        server.setExecutor(executor);
        server.createContext("/", this::dispatch);
        server.start();
    }

    /** Stops at once, abandoning requests in flight. */
    public void stop() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }

    /** The port listened on. */
    public int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.getAddress().getPort();
    }

    /**
     * The requests that have arrived and are not finished: answer held back (status
     * {@link LoggedRequest#IN_PROGRESS}) or body still being sent (the status sent), oldest first.
     */
    public List<LoggedRequest> inFlight() {
        return inFlight.stream().map(SandboxExchange::inFlight)
                .sorted(Comparator.comparingLong(LoggedRequest::arrivalNanos)).toList();
    }

    private void dispatch(HttpExchange http) throws IOException {
        extraHeaders.forEach((name, value) -> http.getResponseHeaders().add(name, value));
        SandboxExchange exchange = new SandboxExchange(http, log);
        inFlight.add(exchange);
        try {
            handle(exchange);
            if (!exchange.hasResponded()) {
                exchange.respondJson(500, Json.detail("sandbox handler gave no answer"));
            }
            exchange.complete();
        } catch (SandboxExchange.BodyLimitReached limitReached) {
            exchange.completeAfterBodyLimit();
        } catch (RuntimeException | Error e) { // an Error too: a client must never wait for an answer that never comes
            if (exchange.hasResponded()) {
                exchange.dropConnection();
            }
            exchange.respondJson(500, Json.detail("sandbox error: " + e));
            exchange.complete();
        } finally {
            inFlight.remove(exchange);
        }
        // Other IOExceptions (ConnectionDropped, client gone) leave handle() so the server closes the connection.
    }

    private void handle(SandboxExchange exchange) throws IOException {
        String path = exchange.path();
        boolean pathKnown = false;
        for (Route route : routes) {
            Matcher matcher = route.pattern().matcher(path);
            if (!matcher.matches()) {
                continue;
            }
            pathKnown = true;
            if (route.method().equalsIgnoreCase(exchange.method())) {
                exchange.bind(route.kind(), params(route, matcher));
                if (guard.admit(exchange) && playFaultBeforeHandler(route, exchange)) {
                    route.handler().handle(exchange);
                }
                return;
            }
        }
        if (pathKnown) {
            exchange.respondJson(405, Json.detail("Method Not Allowed"));
        } else {
            exchange.respondJson(404, Json.detail("Not Found"));
        }
    }

    /** Plays the next queued fault for this request; returns whether the handler should still run. */
    private boolean playFaultBeforeHandler(Route route, SandboxExchange exchange) throws IOException {
        int fileIndex = route.fileIndexOf().applyAsInt(exchange);
        Fault fault = faults.take(route.kind(), fileIndex).orElse(null);
        if (fault == null) {
            return true;
        }
        if (fault instanceof Fault.Respond respond) {
            exchange.respondJson(respond.status(), respond.body(), respond.headers());
            return false;
        }
        if (fault instanceof Fault.Delay delay) {
            try {
                Thread.sleep(delay.duration().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.dropConnection();
            }
            return true;
        }
        exchange.impose(fault);
        return true;
    }

    private static Map<String, String> params(Route route, Matcher matcher) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < route.params().size(); i++) {
            values.put(route.params().get(i), percentDecode(matcher.group(i + 1)));
        }
        return values;
    }

    /** Decodes %XX escapes of a path segment; unlike form decoding, '+' stays '+'. */
    static String percentDecode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "sandbox-http-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
