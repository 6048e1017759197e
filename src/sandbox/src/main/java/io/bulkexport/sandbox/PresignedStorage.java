package io.bulkexport.sandbox;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An S3-like storage host for sandboxes, on a port of its own (so it is another host than the API): serves the
 * objects a sandbox puts at presigned URLs it signs, and answers like S3 — 403 {@code AccessDenied} "Request has
 * expired" once a URL's {@code X-Amz-Expires} has passed, 403 {@code SignatureDoesNotMatch} for a bad signature, and
 * 400 {@code InvalidArgument} to a request that carries an {@code Authorization} header besides the signature.
 */
public final class PresignedStorage {
    /** The bucket every object is in; URLs are path-style: {@code /bucket/key}. */
    public static final String BUCKET = "sandbox-downloads";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    /** Writes an object's bytes. */
    @FunctionalInterface
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    private record StoredObject(String contentType, int fileIndex, Body body) {
    }

    private final SandboxHttp http;
    private final SecureRandom random = new SecureRandom();
    private final byte[] secret = new byte[32];
    private final Map<String, StoredObject> objects = new ConcurrentHashMap<>();
    private final List<String> signatures = new ArrayList<>();
    private final java.util.Set<String> revoked = ConcurrentHashMap.newKeySet();
    private final AtomicInteger refusedAuthorization = new AtomicInteger();
    private final AtomicInteger refusedExpired = new AtomicInteger();

    /** A storage host that logs to and plays DOWNLOAD faults from the owning sandbox's log and queue. */
    public PresignedStorage(RequestLog log, FaultQueue faults) {
        random.nextBytes(secret);
        this.http = new SandboxHttp(log, faults, 16)
                .route("GET", "/" + BUCKET + "/{key...}", EndpointKind.DOWNLOAD, this::fileIndexOf, this::get);
    }

    /** Starts listening on 127.0.0.1 (0: a free port). */
    public PresignedStorage start(int port) {
        http.start(port);
        return this;
    }

    /** Stops listening. */
    public void stop() {
        http.stop();
    }

    /** Stores an object; {@code fileIndex} is what DOWNLOAD faults for one file match. */
    public void put(String key, String contentType, int fileIndex, Body body) {
        objects.put(key, new StoredObject(contentType, fileIndex, body));
    }

    /** A presigned URL for an object, signed at {@code issuedAt} and valid for {@code lifetime} after it. */
    public String sign(String key, Instant issuedAt, Duration lifetime) {
        String date = AMZ_DATE.format(issuedAt);
        String expires = String.valueOf(lifetime.toSeconds());
        byte[] session = new byte[16];
        random.nextBytes(session); // as a temporary credential's session token: each URL is signed apart
        String token = HexFormat.of().formatHex(session);
        String signature = signature(key, date, expires, token);
        synchronized (signatures) {
            signatures.add(signature);
        }
        return "http://127.0.0.1:" + http.port() + "/" + BUCKET + "/" + encodePath(key)
                + "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                + "&X-Amz-Credential=" + URLEncoder.encode("ASIASANDBOXKEY/" + date.substring(0, 8)
                + "/us-east-1/s3/aws4_request", StandardCharsets.UTF_8)
                + "&X-Amz-Date=" + date + "&X-Amz-Expires=" + expires + "&X-Amz-Security-Token=" + token
                + "&X-Amz-SignedHeaders=host"
                + "&X-Amz-Signature=" + signature;
    }

    /**
     * Makes a URL fail as expired before its {@code X-Amz-Expires} says, as a URL signed with temporary credentials
     * does once they run out.
     */
    public String revoke(String url) {
        revoked.add(url.replaceAll(".*X-Amz-Signature=", ""));
        return url;
    }

    /** Every signature handed out so far: a client must never write one anywhere. */
    public List<String> issuedSignatures() {
        synchronized (signatures) {
            return List.copyOf(signatures);
        }
    }

    /** Requests refused because they carried an Authorization header. */
    public int refusedForAuthorizationHeader() {
        return refusedAuthorization.get();
    }

    /** Requests refused because their URL had expired. */
    public int refusedAsExpired() {
        return refusedExpired.get();
    }

    private int fileIndexOf(SandboxExchange exchange) {
        StoredObject object = objects.get(exchange.pathParam("key"));
        return object == null ? FaultQueue.NO_FILE : object.fileIndex();
    }

    private void get(SandboxExchange exchange) throws IOException {
        String key = exchange.pathParam("key");
        if (exchange.header("Authorization") != null) {
            refusedAuthorization.incrementAndGet();
            error(exchange, 400, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query"
                    + " parameter, Signature query string parameter or the Authorization header should be specified");
            return;
        }
        String date = exchange.queryParam("X-Amz-Date");
        String expires = exchange.queryParam("X-Amz-Expires");
        String token = exchange.queryParam("X-Amz-Security-Token");
        String signature = exchange.queryParam("X-Amz-Signature");
        if (date == null || expires == null || token == null || signature == null || !MessageDigest.isEqual(
                signature.getBytes(StandardCharsets.UTF_8),
                signature(key, date, expires, token).getBytes(StandardCharsets.UTF_8))) {
            error(exchange, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the"
                    + " signature you provided.");
            return;
        }
        Instant ends;
        try {
            ends = LocalDateTime.parse(date, DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"))
                    .toInstant(ZoneOffset.UTC).plusSeconds(Long.parseLong(expires));
        } catch (DateTimeParseException | NumberFormatException e) {
            error(exchange, 400, "AuthorizationQueryParametersError", "X-Amz-Date or X-Amz-Expires is malformed.");
            return;
        }
        if (!Instant.now().isBefore(ends) || revoked.contains(signature)) {
            refusedExpired.incrementAndGet();
            error(exchange, 403, "AccessDenied", "Request has expired");
            return;
        }
        StoredObject object = objects.get(key);
        if (object == null) {
            error(exchange, 404, "NoSuchKey", "The specified key does not exist.");
            return;
        }
        object.body().write(exchange.respondStream(200, object.contentType(), SandboxExchange.UNKNOWN_LENGTH));
    }

    private static void error(SandboxExchange exchange, int status, String code, String message) throws IOException {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
                + "</Message><RequestId>SANDBOX</RequestId></Error>";
        exchange.respond(status, "application/xml", xml.getBytes(StandardCharsets.UTF_8));
    }

    private String signature(String key, String date, String expires, String token) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((key + "\n" + date + "\n" + expires + "\n" + token)
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encodePath(String key) {
        List<String> segments = new ArrayList<>();
        for (String segment : key.split("/")) {
            segments.add(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return String.join("/", segments);
    }
}
