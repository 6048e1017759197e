package io.bulkexport.vendor;

import io.bulkexport.run.RunExchange;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulkexport.metrics.ExportMeters;
import io.bulkexport.provider.ProviderSpec;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Turns a vendor's HTTP answer into success or a {@link VendorException}. For a retryable answer that carries
 * {@code Retry-After}, it sets Camel's per-exchange redelivery delay so the route's retry waits as long as asked.
 */
public class VendorResponses {
    /** The answer header in which a vendor reports the account's credit balance (Coresignal does). */
    static final String CREDITS_REMAINING = "x-credits-remaining";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ERROR_BODY_LIMIT = 16 * 1024;
    private static final int MESSAGE_LIMIT = 300;

    private final long maxRetryAfterMillis;
    private final ExportMeters meters;
    private final java.util.function.BiConsumer<String, String> credits;

    /** @param meters counts every answer, by provider, call and code, and the credits the vendor reports */
    public VendorResponses(Duration maxRetryAfter, ExportMeters meters) {
        this(maxRetryAfter, meters, (provider, balance) -> { });
    }

    /** @param credits told each credit balance a vendor reports (provider, header text), for the credit floors */
    public VendorResponses(Duration maxRetryAfter, ExportMeters meters,
                           java.util.function.BiConsumer<String, String> credits) {
        this.maxRetryAfterMillis = maxRetryAfter.toMillis();
        this.meters = meters;
        this.credits = credits;
    }

    /** Passes a 2xx answer; throws for anything else. The provider's name selects its error hints. */
    public void check(Exchange exchange, String provider) {
        Message message = exchange.getMessage();
        Integer status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (status == null) {
            throw new IllegalStateException("no HTTP status on the exchange: call the vendor before checking");
        }
        String balance = message.getHeader(CREDITS_REMAINING, String.class);
        meters.vendorAnswer(provider, exchange.getProperty(ExportMeters.CALL, String.class), status, balance);
        if (balance != null) {
            credits.accept(provider, balance);
        }
        message.removeHeader(Exchange.REDELIVERY_DELAY);
        if (status >= 200 && status < 300 || expected(exchange, status)) {
            return;
        }
        String said = vendorWords(message);
        String text = provider + " answered " + status + (said.isEmpty() ? "" : ": " + said);
        if (status == 429 || status >= 500) {
            Long retryAfter = retryAfterMillis(message.getHeader("Retry-After", String.class));
            if (retryAfter != null) {
                message.setHeader(Exchange.REDELIVERY_DELAY, retryAfter);
            }
            throw new RetryableVendorException(provider, status, text, retryAfter);
        }
        ProviderSpec spec = exchange.getContext().getRegistry().lookupByNameAndType(provider, ProviderSpec.class);
        String hint = spec == null ? null : spec.errorHint(status);
        throw new VendorRejectedException(provider, status, hint == null ? text : text + " — " + hint);
    }

    private static boolean expected(Exchange exchange, int status) {
        String expected = exchange.getProperty(RunExchange.EXPECTED_STATUSES, String.class);
        return expected != null && java.util.Arrays.asList(expected.trim().split("[\\s,]+")).contains(String.valueOf(status));
    }

    /** The vendor's own explanation: {@code detail}, {@code message} or {@code error} of a JSON body, or its text. */
    static String vendorWords(Message message) {
        String body = readLimited(message.getBody());
        message.setBody(body);
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode json = JSON.readTree(body);
            for (String field : new String[] {"detail", "message", "error"}) {
                JsonNode value = json.get(field);
                if (value != null && value.isTextual() && !value.asText().isBlank()) {
                    return clip(value.asText());
                }
            }
        } catch (IOException notJson) {
            // fall through to the raw text
        }
        return clip(body.strip());
    }

    private static String readLimited(Object body) {
        if (body == null) {
            return null;
        }
        if (body instanceof InputStream in) {
            try (in) {
                return new String(in.readNBytes(ERROR_BODY_LIMIT), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }
        if (body instanceof byte[] bytes) {
            return new String(bytes, 0, Math.min(bytes.length, ERROR_BODY_LIMIT), StandardCharsets.UTF_8);
        }
        return body.toString();
    }

    private static String clip(String text) {
        String oneLine = Redaction.withoutQueries(text).replaceAll("\\s+", " ");
        return oneLine.length() <= MESSAGE_LIMIT ? oneLine : oneLine.substring(0, MESSAGE_LIMIT) + "…";
    }

    /** Seconds or an HTTP date, capped; null when absent or unreadable. */
    Long retryAfterMillis(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        long millis;
        try {
            // clamped before multiplying: a huge number of seconds must not wrap round to a negative wait
            millis = Math.min(Math.max(0, Long.parseLong(header.trim())), Long.MAX_VALUE / 1000) * 1000;
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                millis = Math.max(0, Duration.between(ZonedDateTime.now(at.getZone()), at).toMillis());
            } catch (DateTimeParseException unreadable) {
                return null;
            }
        }
        return Math.min(millis, maxRetryAfterMillis);
    }
}
