package io.bulkexport.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * In-process emulator of the Coresignal Bulk Collect API (base path {@code /cdapi}): submit a data
 * request, poll its file list, download gzip JSON Lines files. Serves generated, deterministic records
 * (or the files of {@link SandboxSettings#filesDir()}), and offers hooks for tests: submissions, request
 * log, expected record ids, readiness control and queued {@link Fault}s. A submission with a {@code webhook_url}
 * has that URL called (POST) when its request becomes ready, as Coresignal does, unless told not to.
 */
public final class CoresignalSandbox implements AutoCloseable {

    /** Path prefix of every endpoint. */
    public static final String BASE_PATH = "/cdapi";
    /** Most ids an id_file upload may contain. */
    public static final int MAX_IDS = 10_000;

    private static final int THREADS = 16;
    private static final String FILES_PREFIX = "json/";

    private final SandboxSettings settings;
    private final RequestLog log = new RequestLog();
    private final FaultQueue faults = new FaultQueue();
    private final SandboxHttp http;
    private final Map<String, CoresignalDataRequest> requests = new ConcurrentHashMap<>();
    private final List<Submission> submissions = new ArrayList<>();
    private StoredExport storedFiles;
    private final ScheduledExecutorService webhookCaller = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "coresignal-sandbox-webhooks");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpClient webhookClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile boolean callWebhooks = true;
    private final List<String> webhooksCalled = new CopyOnWriteArrayList<>();
    /** The account's credit balance once {@link #credits(long)} set one: charged per record at submission. */
    private final java.util.concurrent.atomic.AtomicLong credits = new java.util.concurrent.atomic.AtomicLong(-1);

    /** A sandbox with {@link SandboxSettings#defaults()}. */
    public CoresignalSandbox() {
        this(SandboxSettings.defaults());
    }

    /** A sandbox with these settings; call {@link #start()} to listen. */
    public CoresignalSandbox(SandboxSettings settings) {
        this.settings = settings;
        this.http = new SandboxHttp(log, faults, THREADS)
                .guard(this::checkApiKey)
                .route("POST", BASE_PATH + "/v2/data_requests/{dataset}/{method}", EndpointKind.SUBMIT, this::submit)
                .route("GET", BASE_PATH + "/v2/data_requests/{id}/files", EndpointKind.STATUS, this::status)
                .route("GET", BASE_PATH + "/v2/data_requests/{id}/files/{file...}", EndpointKind.DOWNLOAD,
                        this::fileIndexOf, this::download);
    }

    /** Runs a sandbox until killed, or writes data files; see {@link SandboxCommandLine}. */
    public static void main(String[] args) throws Exception {
        SandboxCommandLine.main(args);
    }

    /** Starts listening on 127.0.0.1 (and, with a files directory, lists its files once). */
    public CoresignalSandbox start() {
        if (settings.filesDir() != null) {
            storedFiles = StoredExport.scan(settings.filesDir(), FILES_PREFIX);
        }
        http.start(settings.port());
        return this;
    }

    /** Stops listening at once. */
    public void stop() {
        webhookCaller.shutdownNow();
        http.stop();
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** The port listened on. */
    public int port() {
        return http.port();
    }

    /** The API base URL, e.g. {@code http://127.0.0.1:8089/cdapi}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + BASE_PATH;
    }

    /** The settings this sandbox runs with. */
    public SandboxSettings settings() {
        return settings;
    }

    /**
     * Gives the account a credit balance: from now on each submission is charged its limit (or its ids) at once,
     * refused with 402 "Insufficient credits" when the balance is short, and every answer carries the balance in
     * {@code x-credits-remaining}, as Coresignal's do.
     */
    public void credits(long balance) {
        credits.set(balance);
    }

    /** The credit balance left, or -1 when none was set. */
    public long creditsLeft() {
        return credits.get();
    }

    private Map<String, String> creditHeaders() {
        long left = credits.get();
        return left < 0 ? Map.of() : Map.of("x-credits-remaining", String.valueOf(left));
    }

    /** Charges a submission; false (and nothing charged) when the balance is short. */
    private boolean charge(long records) {
        while (true) {
            long left = credits.get();
            if (left < 0) {
                return true;
            }
            if (records > left) {
                return false;
            }
            if (credits.compareAndSet(left, left - records)) {
                return true;
            }
        }
    }

    /** Queues of faults to play on coming requests. */
    public FaultQueue faults() {
        return faults;
    }

    /** Adds these headers to every answer from now on (see {@link SandboxHttp#sendOnEveryAnswer}). */
    public void sendOnEveryAnswer(Map<String, String> headers) {
        http.sendOnEveryAnswer(headers);
    }

    /** Whether submissions' webhook URLs are called when their requests become ready (true unless told otherwise). */
    public void callWebhooks(boolean call) {
        callWebhooks = call;
    }

    /** The request ids whose webhook URL was called, with the status each call was answered, "id=202". */
    public List<String> webhooksCalled() {
        return List.copyOf(webhooksCalled);
    }

    /** Every request received so far, with the status answered. */
    public List<LoggedRequest> requestLog() {
        return log.entries();
    }

    /** The requests arrived and not finished yet: answer held back, or body still being sent. */
    public List<LoggedRequest> inFlight() {
        return http.inFlight();
    }

    /** Every submission accepted so far, in order (including those whose answer a fault dropped). */
    public List<Submission> submissions() {
        synchronized (submissions) {
            return List.copyOf(submissions);
        }
    }

    /** The names of the files a request serves once ready (as listed, e.g. "json/part-00000-...json.gz"). */
    public List<String> fileNames(String requestId) {
        return request(requestId).content().fileNames();
    }

    /** The bytes the sandbox serves for file {@code index} of a request (as listed by {@link #fileNames}). */
    public byte[] servedFile(String requestId, int index) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            request(requestId).content().writeFile(index, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The ids of all records a request serves, ascending; malformed lines are not records. */
    public List<Long> expectedRecordIds(String requestId) {
        try {
            return request(requestId).content().recordIds();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The number of malformed (non-JSON) lines in a request's files. */
    public long malformedLineCount(String requestId) {
        try {
            return request(requestId).content().malformedLineCount();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes a request ready at once. */
    public void readyNow(String requestId) {
        request(requestId).readyNow();
    }

    /** Makes every request submitted so far ready at once. */
    public void readyAllNow() {
        requests.values().forEach(CoresignalDataRequest::readyNow);
    }

    /** The listed file name of part {@code index}: Spark-style, as the vendor's files are named. */
    static String partFileName(int index, String jobUuid) {
        return String.format("part-%05d-%s-c000.json.gz", index, jobUuid);
    }

    /** The seed records of a request are generated from. */
    static long seedOf(String requestId) {
        UUID uuid = UUID.nameUUIDFromBytes(requestId.getBytes(StandardCharsets.UTF_8));
        return uuid.getMostSignificantBits() ^ uuid.getLeastSignificantBits();
    }

    private CoresignalDataRequest request(String requestId) {
        CoresignalDataRequest request = requests.get(requestId);
        if (request == null) {
            throw new IllegalArgumentException("no such data request: " + requestId);
        }
        return request;
    }

    private boolean checkApiKey(SandboxExchange exchange) throws IOException {
        String key = exchange.header("apikey");
        boolean valid = key != null && !key.isEmpty() && (settings.apiKey() == null || settings.apiKey().equals(key));
        if (!valid) {
            exchange.respondJson(401, Json.detail("Invalid API key"));
        }
        return valid;
    }

    private void submit(SandboxExchange exchange) throws IOException {
        String dataset = exchange.pathParam("dataset");
        String method = exchange.pathParam("method");
        if (!CoresignalDatasets.supports(dataset, method)) {
            exchange.respondJson(404, Json.detail("Not Found"));
            return;
        }
        String requestId = UUID.randomUUID().toString();
        long seed = seedOf(requestId);
        IntFunction<String> fileNames = partNames(requestId);
        String body = null;
        long[] ids = new long[0];
        Long limit = null;
        ExportContent content;
        String webhookUrl = null;
        if (method.equals("id_file")) {
            try {
                MultipartForm form = MultipartForm.parse(exchange.header("Content-Type"), exchange.body());
                ids = uploadedIds(form);
                webhookUrl = form.part("webhook_url").map(MultipartForm.Part::text).orElse(null);
            } catch (IllegalArgumentException e) {
                exchange.respondJson(400, Json.detail(e.getMessage()));
                return;
            }
            content = storedFiles != null ? storedFiles : GeneratedExport.forIds(seed, settings, ids, fileNames);
        } else {
            body = exchange.bodyAsString();
            JsonNode json;
            try {
                json = Json.MAPPER.readTree(body);
            } catch (JsonProcessingException e) {
                exchange.respondJson(400, Json.detail("Request body is not valid JSON: " + e.getOriginalMessage()));
                return;
            }
            if (json == null || !json.isObject()) {
                exchange.respondJson(400, Json.detail("Request body must be a JSON object"));
                return;
            }
            webhookUrl = json.hasNonNull("webhook_url") ? json.get("webhook_url").asText() : null;
            JsonNode limitNode = json.get("limit");
            if (limitNode != null && !limitNode.isNull()) {
                if (!limitNode.isIntegralNumber() || !limitNode.canConvertToLong() || limitNode.longValue() < 0) {
                    exchange.respondJson(422, Json.detail("limit must be a non-negative integer"));
                    return;
                }
                limit = limitNode.longValue();
            }
            content = storedFiles != null ? storedFiles
                    : GeneratedExport.consecutive(seed, settings, limit == null ? Long.MAX_VALUE : limit, fileNames);
        }
        if (!charge(limit != null ? limit : ids.length)) {
            exchange.respondJson(402, Json.detail("Insufficient credits"), creditHeaders());
            return;
        }
        long readyAt = System.nanoTime() + settings.readyAfter().toNanos();
        requests.put(requestId, new CoresignalDataRequest(requestId, content, readyAt));
        synchronized (submissions) {
            submissions.add(new Submission(requestId, dataset, method, body,
                    Arrays.stream(ids).boxed().toList(), limit, Instant.now()));
        }
        Map<String, String> headers = new java.util.HashMap<>(creditHeaders());
        headers.put("Location", "/v2/data_requests/" + requestId + "/files");
        exchange.respondJson(settings.submitStatus(), Json.object(settings.idKey(), requestId), headers);
        if (webhookUrl != null) {
            String url = webhookUrl;
            webhookCaller.schedule(() -> callWebhook(url, requestId), settings.readyAfter().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Calls a submission's webhook URL, once; what it is answered is only recorded. */
    private void callWebhook(String url, String requestId) {
        if (!callWebhooks) {
            return;
        }
        try {
            HttpResponse<Void> answer = webhookClient.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.object("data_request_id", requestId, "status",
                            "completed")))
                    .build(), HttpResponse.BodyHandlers.discarding());
            webhooksCalled.add(requestId + "=" + answer.statusCode());
        } catch (IOException | IllegalArgumentException e) {
            webhooksCalled.add(requestId + "=" + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long[] uploadedIds(MultipartForm form) {
        MultipartForm.Part file = form.part("ids_file")
                .orElseThrow(() -> new IllegalArgumentException("ids_file is required"));
        return IdsCsv.parse(file.text(), MAX_IDS);
    }

    private void status(SandboxExchange exchange) throws IOException {
        CoresignalDataRequest request = requests.get(exchange.pathParam("id"));
        if (request == null) {
            exchange.respondJson(404, Json.detail("Data request not found"));
        } else if (request.isReady()) {
            exchange.respondJson(200, Json.object("data_request_files", request.content().fileNames()));
        } else if (settings.pendingStyle() == SandboxSettings.PendingStyle.ACCEPTED_202) {
            exchange.respondJson(202, Json.object("message", "Data request is still being processed"));
        } else {
            exchange.respondJson(200, Json.object("data_request_files", List.of()));
        }
    }

    private int fileIndexOf(SandboxExchange exchange) {
        CoresignalDataRequest request = requests.get(exchange.pathParam("id"));
        int index = request == null ? -1 : request.content().indexOf(exchange.pathParam("file"));
        return index < 0 ? FaultQueue.NO_FILE : index;
    }

    private void download(SandboxExchange exchange) throws IOException {
        CoresignalDataRequest request = requests.get(exchange.pathParam("id"));
        if (request == null) {
            exchange.respondJson(404, Json.detail("Data request not found"));
            return;
        }
        String fileName = exchange.pathParam("file");
        int index = request.isReady() ? request.content().indexOf(fileName) : -1;
        if (index < 0) {
            exchange.respondJson(404, Json.detail("File not found"));
            return;
        }
        ExportContent content = request.content();
        OutputStream body = exchange.respondStream(200, "application/gzip", content.contentLength(index));
        content.writeFile(index, body);
    }

    private IntFunction<String> partNames(String requestId) {
        String jobUuid = UUID.nameUUIDFromBytes(("job:" + requestId).getBytes(StandardCharsets.UTF_8)).toString();
        if (settings.hostileNames()) {
            return index -> FILES_PREFIX + String.format("part-%05d-%s-%s-c000.json.gz", index,
                    HOSTILE_NAME_PARTS.get(index % HOSTILE_NAME_PARTS.size()), jobUuid);
        }
        return index -> FILES_PREFIX + partFileName(index, jobUuid);
    }

    /**
     * What {@link SandboxSettings#hostileNames} puts into file names, one per file in turn: Simple expressions that
     * would read the API key or other secrets, a property placeholder, a query and a bean reference that would
     * change an endpoint, percent escapes that decode into an expression, spaces.
     */
    static final List<String> HOSTILE_NAME_PARTS = List.of(
            "${env:CORESIGNAL_API_KEY}",
            "${sys.CORESIGNAL_API_KEY}-{{bulkexport.s3.bucket}}",
            "${bean:runs?method=toString} ${sys.user.home}",
            "?throwExceptionOnFailure=false&x=1#someBean",
            "%24%7Benv:CORESIGNAL_API_KEY%7D 100%");
}
