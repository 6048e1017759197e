package io.bulkexport.sandbox;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * In-process emulator of the OAuth "data requests" API: a client credentials token endpoint
 * ({@code POST /oauth/token}), creation of a request under a client-made UUID v4 ({@code POST /requests} with
 * {@code requestId} in the body, or {@code PUT /requests/{requestId}}), its status ({@code GET /requests/{id}}, with
 * {@code expectedCompletion}) and its data once completed ({@code GET /requests/{id}/data}, gzip JSON Lines). Hooks
 * let tests revoke tokens (so the next call answers 401) and count token requests.
 */
public final class DataRequestsSandbox implements AutoCloseable {
    /** Path of the token endpoint. */
    public static final String TOKEN_PATH = "/oauth/token";

    private final SandboxSettings settings;
    private final String clientId;
    private final String clientSecret;
    private final Duration tokenLifetime;
    private final RequestLog log = new RequestLog();
    private final FaultQueue faults = new FaultQueue();
    private final SandboxHttp http;
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final Map<String, Created> requests = new ConcurrentHashMap<>();
    private final List<String> requestIds = new ArrayList<>();
    private final List<String> issued = new ArrayList<>();
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private final AtomicInteger statusAnswers = new AtomicInteger();
    private final SecureRandom random = new SecureRandom();

    private record Created(String id, Instant createdAt, long readyAtNanos, List<String> dataRequested,
                           GeneratedExport content, JsonNode body) {
        boolean isReady() {
            return System.nanoTime() - readyAtNanos >= 0;
        }
    }

    /** A sandbox accepting this client (null id: any client), issuing tokens valid for {@code tokenLifetime}. */
    public DataRequestsSandbox(SandboxSettings settings, String clientId, String clientSecret, Duration tokenLifetime) {
        this.settings = settings;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.tokenLifetime = tokenLifetime;
        this.http = new SandboxHttp(log, faults, 16)
                .guard(this::checkToken)
                .route("POST", TOKEN_PATH, EndpointKind.TOKEN, this::token)
                .route("POST", "/requests", EndpointKind.SUBMIT, this::create)
                .route("PUT", "/requests/{id}", EndpointKind.SUBMIT, this::create)
                .route("GET", "/requests/{id}", EndpointKind.STATUS, this::status)
                .route("GET", "/requests/{id}/data", EndpointKind.DOWNLOAD, exchange -> 0, this::data);
    }

    /** Starts listening on 127.0.0.1 (on the settings' port, 0 for a free one). */
    public DataRequestsSandbox start() {
        http.start(settings.port());
        return this;
    }

    /** Stops listening at once. */
    public void stop() {
        http.stop();
    }

    @Override
    public void close() {
        stop();
    }

    /** The API base URL, e.g. {@code http://127.0.0.1:8091}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + http.port();
    }

    /** The token endpoint's URL. */
    public String tokenUrl() {
        return baseUrl() + TOKEN_PATH;
    }

    /** Queues of faults to play on coming requests. */
    public FaultQueue faults() {
        return faults;
    }

    /** Every request received so far (the token endpoint's included), with the status answered. */
    public List<LoggedRequest> requestLog() {
        return log.entries();
    }

    /** The request ids created so far, in order. */
    public List<String> requestIds() {
        synchronized (requestIds) {
            return List.copyOf(requestIds);
        }
    }

    /** The creation body a request arrived with. */
    public JsonNode creationBody(String id) {
        return created(id).body();
    }

    /** Access tokens issued so far. */
    public List<String> issuedTokens() {
        synchronized (issued) {
            return List.copyOf(issued);
        }
    }

    /** How many times the token endpoint was asked for a token. */
    public int tokenRequests() {
        return tokenRequests.get();
    }

    /** The record ids a request's data holds, ascending. */
    public List<Long> expectedRecordIds(String id) {
        return created(id).content().recordIds();
    }

    private Created created(String id) {
        Created created = requests.get(id);
        if (created == null) {
            throw new IllegalArgumentException("no such request: " + id);
        }
        return created;
    }

    private boolean checkToken(SandboxExchange exchange) throws IOException {
        if (exchange.path().equals(TOKEN_PATH)) {
            return true;
        }
        String header = exchange.header("Authorization");
        String token = header != null && header.startsWith("Bearer ") ? header.substring(7) : null;
        Instant expires = token == null ? null : tokens.get(token);
        if (expires == null || !Instant.now().isBefore(expires)) {
            exchange.respondJson(401, Json.object("error", "Unauthorized", "message", "You are not authorized."
                    + " Generate authentication tokens via OAuth to access this resource."));
            return false;
        }
        return true;
    }

    private void token(SandboxExchange exchange) throws IOException {
        tokenRequests.incrementAndGet();
        Map<String, String> form = form(exchange.bodyAsString());
        String id = form.get("client_id");
        String secret = form.get("client_secret");
        String basic = exchange.header("Authorization");
        if (basic != null && basic.startsWith("Basic ")) {
            String pair = new String(Base64.getDecoder().decode(basic.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = pair.indexOf(':');
            id = colon < 0 ? pair : URLDecoder.decode(pair.substring(0, colon), StandardCharsets.UTF_8);
            secret = colon < 0 ? "" : URLDecoder.decode(pair.substring(colon + 1), StandardCharsets.UTF_8);
        }
        if (!"client_credentials".equals(form.get("grant_type"))) {
            exchange.respondJson(400, Json.object("error", "unsupported_grant_type"));
            return;
        }
        boolean known = clientId == null ? id != null && !id.isEmpty() && secret != null && !secret.isEmpty()
                : clientId.equals(id) && clientSecret.equals(secret);
        if (!known) {
            exchange.respondJson(401, Json.object("error", "invalid_client", "error_description",
                    "Client authentication failed"));
            return;
        }
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        String token = "sbx." + HexFormat.of().formatHex(bytes);
        tokens.put(token, Instant.now().plus(tokenLifetime));
        synchronized (issued) {
            issued.add(token);
        }
        exchange.respondJson(200, Json.object("access_token", token, "token_type", "Bearer",
                "expires_in", tokenLifetime.toSeconds()));
    }

    private void create(SandboxExchange exchange) throws IOException {
        JsonNode body;
        try {
            body = exchange.body().length == 0 ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(exchange.body());
        } catch (JsonProcessingException e) {
            exchange.respondJson(400, Json.object("error", "Bad Request", "message", "The body is not valid JSON."));
            return;
        }
        String id = exchange.pathParam("id") != null ? exchange.pathParam("id") : body.path("requestId").asText(null);
        if (!isRandomUuid(id)) {
            exchange.respondJson(400, Json.object("error", "Bad Request", "message",
                    "requestId must be a random (version 4) UUID."));
            return;
        }
        List<String> data = new ArrayList<>();
        body.path("dataRequested").forEach(type -> data.add(type.asText()));
        GeneratedExport content = GeneratedExport.consecutive(CoresignalSandbox.seedOf(id),
                settings.withFilesPerRequest(1), settings.recordsPerFile(), index -> "data");
        Created created = new Created(id, Instant.now(), System.nanoTime() + settings.readyAfter().toNanos(),
                List.copyOf(data), content, body);
        if (requests.putIfAbsent(id, created) != null) {
            exchange.respondJson(409, Json.object("error", "Conflict", "message",
                    "A data request with this id exists already."));
            return;
        }
        synchronized (requestIds) {
            requestIds.add(id);
        }
        exchange.respondJson(201, Json.write(describe(created, false)));
    }

    private void status(SandboxExchange exchange) throws IOException {
        Created created = requests.get(exchange.pathParam("id"));
        if (created == null) {
            exchange.respondJson(404, Json.object("error", "Not Found", "message",
                    "Could not find a data request with this id."));
            return;
        }
        exchange.respondJson(200, Json.write(describe(created, statusAnswers.incrementAndGet() % 2 == 0)));
    }

    private void data(SandboxExchange exchange) throws IOException {
        Created created = requests.get(exchange.pathParam("id"));
        if (created == null || !created.isReady()) {
            exchange.respondJson(404, Json.object("error", "Not Found", "message",
                    "Could not find data for a completed request with this id."));
            return;
        }
        OutputStream body = exchange.respondStream(200, "application/gzip", SandboxExchange.UNKNOWN_LENGTH);
        created.content().writeFile(0, body);
    }

    /** The status answer; date-times written with {@code Z} or {@code +00:00}, as both are seen. */
    private ObjectNode describe(Created created, boolean offsetStyle) {
        DateTimeFormatter format = offsetStyle
                ? DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx").withZone(ZoneOffset.UTC)
                : DateTimeFormatter.ISO_INSTANT;
        long remainingNanos = created.readyAtNanos() - System.nanoTime();
        Instant expected = Instant.now().plusNanos(Math.max(0, remainingNanos));
        ObjectNode answer = Json.MAPPER.createObjectNode().put("requestId", created.id())
                .put("createdAt", format.format(created.createdAt()))
                .put("expectedCompletion", format.format(expected))
                .put("isCompleted", created.isReady());
        if (created.isReady()) {
            answer.put("completedAt", format.format(expected));
        }
        created.dataRequested().forEach(answer.putArray("dataRequested")::add);
        return answer;
    }

    private static boolean isRandomUuid(String id) {
        if (id == null) {
            return false;
        }
        try {
            UUID uuid = UUID.fromString(id);
            return uuid.version() == 4 && uuid.variant() == 2 && uuid.toString().equalsIgnoreCase(id);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new ConcurrentHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }
}
