package io.bulkexport.presigned;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.bulkexport.run.RunExchange;
import com.fasterxml.jackson.databind.JsonNode;
import io.bulkexport.vendor.JsonAnswers;
import org.apache.camel.Exchange;

/**
 * Where a provider's answer lists the presigned URLs of a request's files: an array of URL strings or of objects
 * with a {@code url} (both are accepted), optionally with the date each file was made, from which it expires after
 * a declared lifetime. Declared per provider in its routes file. {@link #remember} keeps the URLs in
 * {@link PresignedLinks} and leaves only file names in the message: the last segment of each URL's path.
 */
public class PresignedListing {
    private static final DateTimeFormatter VENDOR_DATE = DateTimeFormatter.ofPattern("yyyy-M-d H:m[:s]");

    private String field = "";
    private String createdField;
    private Duration fileLifetime;
    private String downloadHostsSetting;
    private String downloadHostPatterns = "";

    /** Reads the answer in the body; the body becomes the list of file names, in the vendor's order. */
    public List<String> remember(Exchange exchange) {
        JsonNode answer = JsonAnswers.tree(exchange.getMessage().getBody());
        JsonNode array = field.isEmpty() ? answer : answer.path(field);
        Map<String, PresignedLinks.Link> links = new LinkedHashMap<>();
        List<URI> urls = new ArrayList<>();
        List<Instant> expiries = new ArrayList<>();
        for (JsonNode element : array) {
            JsonNode url = element.isObject() ? element.get("url") : element;
            if (url == null || !url.isTextual() || url.asText().isBlank()) {
                continue;
            }
            urls.add(URI.create(url.asText().trim()));
            expiries.add(fileExpiry(element));
        }
        List<String> names = names(urls);
        DownloadHosts hosts = downloadHosts();
        for (int i = 0; i < urls.size(); i++) {
            links.put(names.get(i), new PresignedLinks.Link(urls.get(i), expiries.get(i),
                    hosts.refusal(urls.get(i))));
        }
        exchange.getContext().getRegistry().findSingleByType(PresignedLinks.class)
                .remember(exchange.getProperty(RunExchange.PROVIDER, String.class),
                        exchange.getProperty(RunExchange.REQUEST_ID, String.class), links);
        List<String> listed = List.copyOf(links.keySet());
        exchange.getMessage().setBody(listed);
        return listed;
    }

    /** Each URL's last path segment; the whole path where two files would share one. */
    static List<String> names(List<URI> urls) {
        List<String> last = urls.stream().map(url -> lastSegment(url.getRawPath())).toList();
        Set<String> seen = new HashSet<>();
        Set<String> shared = new HashSet<>();
        last.forEach(name -> {
            if (!seen.add(name)) {
                shared.add(name);
            }
        });
        List<String> names = new ArrayList<>();
        for (int i = 0; i < urls.size(); i++) {
            names.add(shared.contains(last.get(i)) ? decode(urls.get(i).getRawPath().replaceFirst("^/+", ""))
                    : last.get(i));
        }
        return names;
    }

    private static String lastSegment(String rawPath) {
        String path = rawPath == null ? "" : rawPath.replaceAll("/+$", "");
        return decode(path.substring(path.lastIndexOf('/') + 1));
    }

    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private Instant fileExpiry(JsonNode element) {
        if (createdField == null || fileLifetime == null || !element.isObject()) {
            return null;
        }
        JsonNode created = element.get(createdField);
        if (created == null || !created.isTextual()) {
            return null;
        }
        Instant at = instant(created.asText().trim());
        return at == null ? null : at.plus(fileLifetime);
    }

    /** {@code 2017-1-11 15:53:00} (UTC) as Datafiniti writes it, or an ISO date-time. */
    static Instant instant(String text) {
        try {
            return LocalDateTime.parse(text, VENDOR_DATE).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException notVendorStyle) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException unreadable) {
                return null;
            }
        }
    }

    /** The answer's field holding the array; empty when the answer is the array itself. */
    public void setField(String field) {
        this.field = field == null ? "" : field.trim();
    }

    /** Each element's field holding the date its file was made. */
    public void setCreatedField(String createdField) {
        this.createdField = createdField;
    }

    /** The property the download host patterns come from, named in refusals. */
    public void setDownloadHostsSetting(String setting) {
        this.downloadHostsSetting = setting;
        downloadHosts(); // refuses bad patterns at start-up, naming this setting
    }

    /** Where the listed URLs may lead: see {@link DownloadHosts}. None by default: every URL is refused. */
    public void setDownloadHosts(String patterns) {
        this.downloadHostPatterns = patterns == null ? "" : patterns;
        if (downloadHostsSetting != null) { // else checked once the setting is known (properties come in any order)
            downloadHosts();
        }
    }

    private DownloadHosts downloadHosts() {
        return new DownloadHosts(downloadHostsSetting == null ? "downloadHostsSetting" : downloadHostsSetting,
                downloadHostPatterns);
    }

    /** How long the vendor serves a file after making it (ISO 8601, e.g. {@code P7D}). */
    public void setFileLifetime(String lifetime) {
        this.fileLifetime = Duration.parse(lifetime);
    }
}
