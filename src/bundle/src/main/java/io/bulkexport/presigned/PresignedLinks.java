package io.bulkexport.presigned;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.bulkexport.run.RunExchange;
import org.apache.camel.Exchange;

/**
 * The presigned URLs of the files of requests being downloaded, in memory only. A presigned URL is a credential: it
 * is never stored, logged or put in a Camel message; the state store knows files by name, and a URL this process
 * does not hold (after a restart, or once expired) is fetched again by listing the request's files.
 */
public class PresignedLinks {
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    /**
     * One file's URL, when the vendor stops serving the file itself (null: no known end), and why the URL must not be
     * followed (null: it may be; see {@link DownloadHosts}).
     */
    public record Link(URI url, Instant fileExpiresAt, String refusal) {
        @Override
        public String toString() {
            return "Link[" + url.getScheme() + "://" + url.getRawAuthority() + url.getRawPath() + "?…]";
        }
    }

    private final Map<String, Map<String, Link>> byRequest = new ConcurrentHashMap<>();
    private final Clock clock;

    public PresignedLinks(Clock clock) {
        this.clock = clock;
    }

    /** Keeps the links of one request's files, by file name, replacing any held before. */
    public void remember(String provider, String requestId, Map<String, Link> links) {
        byRequest.put(key(provider, requestId), Map.copyOf(links));
    }

    /** The link of a file, or null when this process holds none. */
    public Link link(String provider, String requestId, String fileName) {
        return byRequest.getOrDefault(key(provider, requestId), Map.of()).get(fileName);
    }

    /**
     * True when the file of the exchange (properties provider, requestId, fileName) needs a listing first: no link
     * is held, or the URL's own signature has expired ({@code X-Amz-Date} plus {@code X-Amz-Expires}).
     */
    public boolean missing(Exchange exchange) {
        Link link = link(exchange.getProperty(RunExchange.PROVIDER, String.class), exchange.getProperty(RunExchange.REQUEST_ID, String.class),
                exchange.getProperty(RunExchange.FILE_NAME, String.class));
        if (link == null) {
            return true;
        }
        Instant signatureEnds = signatureExpiry(link.url());
        return signatureEnds != null && !clock.instant().isBefore(signatureEnds);
    }

    /** Drops the links of the exchange's request (its download is over). */
    public void forget(Exchange exchange) {
        byRequest.remove(key(exchange.getProperty(RunExchange.PROVIDER, String.class), exchange.getProperty(RunExchange.REQUEST_ID, String.class)));
    }

    /** When an AWS SigV4 presigned URL stops working, or null when it does not say. */
    static Instant signatureExpiry(URI url) {
        String date = null;
        String seconds = null;
        String query = url.getRawQuery();
        if (query == null) {
            return null;
        }
        for (String parameter : query.split("&")) {
            int eq = parameter.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = parameter.substring(0, eq);
            String value = URLDecoder.decode(parameter.substring(eq + 1), StandardCharsets.UTF_8);
            if (name.equalsIgnoreCase("X-Amz-Date")) {
                date = value;
            } else if (name.equalsIgnoreCase("X-Amz-Expires")) {
                seconds = value;
            }
        }
        if (date == null || seconds == null) {
            return null;
        }
        try {
            return LocalDateTime.parse(date, AMZ_DATE).toInstant(ZoneOffset.UTC).plusSeconds(Long.parseLong(seconds));
        } catch (DateTimeParseException | NumberFormatException e) {
            return null;
        }
    }

    private static String key(String provider, String requestId) {
        return provider + " " + requestId;
    }
}
