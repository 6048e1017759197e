package io.bulkexport.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * In-process emulator of the Datafiniti APIs v4 (Bearer token: search with {@code download: true}, then
 * {@code /v4/downloads/{id}}) and v3 (HTTP Basic, token as user: {@code /v3/data/{type}?q=…&download=true}, then
 * {@code /v3/results/{id}}, 404 until done), with the result files on a {@link PresignedStorage} host: plain JSON
 * Lines or CSV at presigned URLs that expire. Hooks let tests make URLs expire, v3 files old, or a download end
 * in another status, and read what a correct client should land.
 */
public final class DatafinitiSandbox implements AutoCloseable {
    /** How long a presigned URL is valid, as Datafiniti signs them (X-Amz-Expires=604800). */
    public static final Duration LINK_LIFETIME = Duration.ofDays(7);
    private static final List<String> PENDING_STATUSES = List.of("queued", "running", "in_progress");
    private static final DateTimeFormatter V3_DATE = DateTimeFormatter.ofPattern("yyyy-M-d HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private final SandboxSettings settings;
    private final RequestLog log = new RequestLog();
    private final FaultQueue faults = new FaultQueue();
    private final SandboxHttp api;
    private final PresignedStorage storage;
    private final Map<String, DatafinitiDownload> downloads = new ConcurrentHashMap<>();
    private final List<JsonNode> submissions = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong(847_070);
    private volatile int expiredListings;
    private volatile int refusedListings;
    private volatile Duration v3FilesAge = Duration.ZERO;
    private volatile String v4Outcome = "completed";
    private volatile BiFunction<Integer, String, String> linkRewrite = (index, url) -> url;

    /** A sandbox with these settings (the API token it accepts is {@link SandboxSettings#apiKey()}). */
    public DatafinitiSandbox(SandboxSettings settings) {
        this.settings = settings;
        this.storage = new PresignedStorage(log, faults);
        this.api = new SandboxHttp(log, faults, 16)
                .guard(this::checkToken)
                .route("POST", "/v4/{type}/search", EndpointKind.SUBMIT, this::searchV4)
                .route("GET", "/v4/downloads/{id}", EndpointKind.STATUS, this::downloadV4)
                .route("GET", "/v3/data/{type}", EndpointKind.SUBMIT, this::dataV3)
                .route("GET", "/v3/requests/{id}", EndpointKind.STATUS, this::requestV3)
                .route("GET", "/v3/results/{id}", EndpointKind.STATUS, this::resultsV3);
    }

    /** Starts the API (on the settings' port) and the storage host (on a free port). */
    public DatafinitiSandbox start() {
        api.start(settings.port());
        storage.start(0);
        return this;
    }

    /** Stops listening at once. */
    public void stop() {
        api.stop();
        storage.stop();
    }

    @Override
    public void close() {
        stop();
    }

    /** The API base URL, e.g. {@code http://127.0.0.1:8090} (v4 and v3 paths below it). */
    public String baseUrl() {
        return "http://127.0.0.1:" + api.port();
    }

    /** The host of the storage's URLs, to allow in {@code bulkexport.datafiniti.download-hosts}: plain HTTP on loopback. */
    public String storageHost() {
        return "127.0.0.1";
    }

    /** Queues of faults to play on coming requests. */
    public FaultQueue faults() {
        return faults;
    }

    /** Every request received so far, API and storage, with the status answered. */
    public List<LoggedRequest> requestLog() {
        return log.entries();
    }

    /** The storage host: its refusals and the signatures it handed out. */
    public PresignedStorage storage() {
        return storage;
    }

    /**
     * Every submission accepted so far, as {"api", "id", "dataset", "query", "format", "records", "view", "raw"}; raw
     * is what arrived, byte for byte: the request body (v4) or the query string (v3).
     */
    public List<JsonNode> submissions() {
        synchronized (submissions) {
            return List.copyOf(submissions);
        }
    }

    /** The first {@code count} listings of each download hand out URLs that expired a day ago. */
    public void expireLinksOfFirstListings(int count) {
        expiredListings = count;
    }

    /**
     * The first {@code count} listings of each download hand out URLs that look valid but that the storage refuses
     * as expired (403), as happens when the credentials that signed them run out early.
     */
    public void refuseLinksOfFirstListings(int count) {
        refusedListings = count;
    }

    /**
     * Listings hand out, for the file with each index (0-based), the URL this function makes of the real one: how a
     * test plays a vendor pointing elsewhere (another host, plain HTTP, a service inside the network).
     */
    public void rewriteLinks(BiFunction<Integer, String, String> rewrite) {
        linkRewrite = rewrite;
    }

    /** v3 result files say they were created this long ago (7 days or more: expired). */
    public void ageV3Files(Duration age) {
        v3FilesAge = age;
    }

    /** v4 downloads end with this status instead of {@code completed} (e.g. {@code cancelled}, {@code failed}). */
    public void endV4DownloadsWith(String status) {
        v4Outcome = status;
    }

    /** The records a correct client lands for a download, in file order. */
    public List<JsonNode> expectedRecords(String id) {
        List<JsonNode> all = new ArrayList<>();
        download(id).files().forEach(file -> all.addAll(file.expectedRecords()));
        return all;
    }

    /** Broken lines (JSON) or rows (CSV) in a download's files. */
    public long malformedCount(String id) {
        return download(id).files().stream().mapToLong(DatafinitiFile::malformedCount).sum();
    }

    /** The statuses the sandbox answered for a v4 download, in order. */
    public List<String> answeredStatuses(String id) {
        return download(id).answeredStatuses();
    }

    /** How many times a download's files were listed (each listing signs fresh URLs). */
    public int listings(String id) {
        return download(id).listings();
    }

    /** Makes every download ready now. */
    public void readyAllNow() {
        downloads.values().forEach(DatafinitiDownload::readyNow);
    }

    private DatafinitiDownload download(String id) {
        DatafinitiDownload download = downloads.get(id);
        if (download == null) {
            throw new IllegalArgumentException("no such download: " + id);
        }
        return download;
    }

    private boolean checkToken(SandboxExchange exchange) throws IOException {
        String header = exchange.header("Authorization");
        String token = null;
        if (header != null && exchange.path().startsWith("/v4/") && header.startsWith("Bearer ")) {
            token = header.substring(7);
        } else if (header != null && exchange.path().startsWith("/v3/") && header.startsWith("Basic ")) {
            String pair = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            token = pair.endsWith(":") ? pair.substring(0, pair.length() - 1) : null;
        }
        boolean valid = token != null && !token.isEmpty() && (settings.apiKey() == null || settings.apiKey().equals(token));
        if (!valid) {
            exchange.respondJson(401, error(401, "Unauthorized", "Invalid or missing API token"));
        }
        return valid;
    }

    private void searchV4(SandboxExchange exchange) throws IOException {
        JsonNode body;
        String raw = exchange.bodyAsString();
        try {
            body = Json.MAPPER.readTree(raw);
        } catch (JsonProcessingException e) {
            exchange.respondJson(400, error(400, "Bad Request", "The request body is not valid JSON"));
            return;
        }
        String format = body.path("format").asText("JSON");
        if (!body.path("query").isTextual() || body.path("query").asText().isBlank()
                || !(format.equals("JSON") || format.equals("CSV")) || !body.path("download").asBoolean(false)) {
            exchange.respondJson(400, error(400, "Bad Request", "query (text), format JSON or CSV and download: true"
                    + " are required here"));
            return;
        }
        Long records = body.path("num_records").isIntegralNumber() ? body.get("num_records").asLong() : null;
        DatafinitiDownload download = accept(false, exchange.pathParam("type"), body.get("query").asText(), format,
                records, null, raw);
        ObjectNode answer = Json.MAPPER.createObjectNode().put("id", download.id())
                .put("_id", Long.parseLong(download.id())).put("status", "queued")
                .put("num_records", recordCount(records));
        answer.putArray("results");
        exchange.respondJson(202, Json.write(answer));
    }

    private void downloadV4(SandboxExchange exchange) throws IOException {
        DatafinitiDownload download = downloads.get(exchange.pathParam("id"));
        if (download == null || download.v3()) {
            exchange.respondJson(404, error(404, "Not Found", "No download with this id"));
            return;
        }
        String status = download.isReady() ? v4Outcome
                : PENDING_STATUSES.get(download.answeredStatuses().size() % PENDING_STATUSES.size());
        download.answered(status);
        ObjectNode answer = Json.MAPPER.createObjectNode().put("id", download.id()).put("status", status)
                .put("num_records", download.files().size());
        ArrayNode results = answer.putArray("results");
        if (status.equals("completed")) {
            List<String> urls = sign(download);
            for (int i = 0; i < urls.size(); i++) {
                if (i % 2 == 0) {
                    results.add(urls.get(i)); // both shapes are seen: plain strings and {"url": …}
                } else {
                    results.addObject().put("url", urls.get(i));
                }
            }
        } else if (!PENDING_STATUSES.contains(status) && !status.equals("cancelled")) {
            answer.put("error", "the download failed while collecting records");
        }
        answer.put("created_at", Instant.ofEpochMilli(download.createdMillis()).toString());
        exchange.respondJson(200, Json.write(answer));
    }

    private void dataV3(SandboxExchange exchange) throws IOException {
        String query = exchange.queryParam("q");
        String format = exchange.queryParam("format") == null ? "JSON" : exchange.queryParam("format").toUpperCase();
        if (query == null || query.isBlank() || !"true".equals(exchange.queryParam("download"))
                || !(format.equals("JSON") || format.equals("CSV"))) {
            exchange.respondJson(400, error(400, "Bad Request", "q, format JSON or CSV and download=true are required"
                    + " here"));
            return;
        }
        String records = exchange.queryParam("records");
        Long limit = records == null ? null : Long.parseLong(records);
        DatafinitiDownload download = accept(true, exchange.pathParam("type"), query, format, limit,
                exchange.queryParam("view"), exchange.rawQuery());
        exchange.respondJson(200, Json.write(requestObject(download, exchange.pathParam("type"), query, format)));
    }

    private void requestV3(SandboxExchange exchange) throws IOException {
        DatafinitiDownload download = downloads.get(exchange.pathParam("id"));
        if (download == null || !download.v3()) {
            exchange.respondJson(404, error(404, "Not Found", "No request with this id"));
            return;
        }
        exchange.respondJson(200, Json.write(requestObject(download, null, null, null)));
    }

    private void resultsV3(SandboxExchange exchange) throws IOException {
        DatafinitiDownload download = downloads.get(exchange.pathParam("id"));
        if (download == null || !download.v3() || !download.isReady()) {
            exchange.respondJson(404, error(404, "Not Found", "No results for this request yet"));
            return;
        }
        List<String> urls = sign(download);
        String created = V3_DATE.format(Instant.now().minus(v3FilesAge));
        ArrayNode results = Json.MAPPER.createArrayNode();
        for (int i = 0; i < urls.size(); i++) {
            results.addObject().put("id", i + 1).put("url", urls.get(i)).put("request_id", Long.parseLong(download.id()))
                    .put("downloaded", 42).put("imported", 42).put("date_created", created);
        }
        exchange.respondJson(200, Json.write(results));
    }

    private ObjectNode requestObject(DatafinitiDownload download, String type, String query, String format) {
        ObjectNode request = Json.MAPPER.createObjectNode().put("id", Long.parseLong(download.id()));
        if (query != null) {
            request.put("query", query).put("dataType", type).put("dataFormat", format.toLowerCase());
        }
        request.put("async", 1).put("status", download.isReady() ? "COMPLETED" : "STARTED").put("error", "")
                .put("date_started", V3_DATE.format(Instant.ofEpochMilli(download.createdMillis())));
        return request;
    }

    /** @param raw what arrived as it arrived: the request body (v4), the query string (v3) */
    private DatafinitiDownload accept(boolean v3, String type, String query, String format, Long records, String view,
                                      String raw) {
        String id = String.valueOf(ids.getAndIncrement());
        long seed = CoresignalSandbox.seedOf(id);
        long total = recordCount(records);
        boolean csv = format.equals("CSV");
        List<DatafinitiFile> files = new ArrayList<>();
        int perFile = settings.recordsPerFile();
        for (int index = 0; (long) index * perFile < total; index++) {
            int count = (int) Math.min(perFile, total - (long) index * perFile);
            String name = id + "_" + (index + 1) + (csv ? ".csv" : ".txt");
            DatafinitiFile file = new DatafinitiFile(name, csv, (long) index * perFile + 1, count, seed, settings);
            files.add(file);
            storage.put((v3 ? "15/" : "v4/") + name, file.contentType(), index, file::write);
        }
        DatafinitiDownload download = new DatafinitiDownload(id, v3, files,
                System.nanoTime() + settings.readyAfter().toNanos());
        downloads.put(id, download);
        ObjectNode submission = Json.MAPPER.createObjectNode().put("api", v3 ? "v3" : "v4").put("id", id)
                .put("dataset", type).put("query", query).put("format", format).put("view", view);
        submission.put("records", records);
        submission.put("raw", raw);
        synchronized (submissions) {
            submissions.add(submission);
        }
        return download;
    }

    private long recordCount(Long requested) {
        long available = (long) settings.filesPerRequest() * settings.recordsPerFile();
        return requested == null ? available : Math.min(requested, available);
    }

    /** Fresh presigned URLs for a download's files (already expired for the first listings, if asked). */
    private List<String> sign(DatafinitiDownload download) {
        int listing = download.listed();
        Instant issued = listing <= expiredListings ? Instant.now().minus(LINK_LIFETIME).minus(Duration.ofDays(1))
                : Instant.now();
        List<String> urls = new ArrayList<>();
        for (DatafinitiFile file : download.files()) {
            String url = storage.sign((download.v3() ? "15/" : "v4/") + file.name(), issued, LINK_LIFETIME);
            urls.add(linkRewrite.apply(urls.size(), listing <= refusedListings ? storage.revoke(url) : url));
        }
        return urls;
    }

    private static String error(int code, String error, String message) {
        return Json.object("error", error, "message", message, "code", code);
    }
}
