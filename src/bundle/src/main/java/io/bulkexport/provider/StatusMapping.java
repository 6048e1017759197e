package io.bulkexport.provider;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulkexport.run.RunExchange;
import io.bulkexport.vendor.JsonAnswers;
import io.bulkexport.vendor.UnexpectedAnswerException;
import org.apache.camel.Exchange;

/**
 * How a provider's status answer maps to the pipeline's PENDING, READY, FAILED or CANCELLED: which field holds the
 * status and which of its values mean what (case-insensitive). Declared as {@code status} in the provider's declaration;
 * {@link #apply} sets exchange properties {@code vendorStatus}, {@code vendorMessage} and {@code notBefore}.
 *
 * <p>A vendor whose status answer is the list of its files (Coresignal) declares {@code filesField} instead: the
 * request is READY once that list names a file (the names become the body), PENDING while it is empty; an answer
 * whose HTTP status is one of {@code pendingHttpStatuses} (Coresignal's 202) is PENDING without being read. A list
 * that is missing, or holds something other than names, is refused whole and checked again later, never taken as a
 * partial list of the files.
 *
 * <p>A value listed nowhere, or no value at all, is not taken as an end. Vendors add and rename intermediate states
 * (Datafiniti answers both {@code running} and {@code in_progress}), the request is paid for, and its files can
 * come from nowhere else: failing the run on a word we do not know would throw that away. Unless the answer also
 * carries the vendor's error message (then it is FAILED, with both), such an answer is refused as unexpected: the
 * status is checked again later, each time with a warning that names the value, until
 * {@code bulkexport.poll.timeout-minutes}, whose failure names it too and says how to resume.
 */
public class StatusMapping {
    private static final JsonAnswers JSON_ANSWERS = new JsonAnswers();
    private String field = "status";
    private Set<String> pending = Set.of();
    private Set<String> ready = Set.of();
    private Set<String> cancelled = Set.of();
    private Set<String> failed = Set.of();
    private String messageField;
    private String notBeforeField;
    private String filesField;
    private Set<Integer> pendingHttpStatuses = Set.of();

    /**
     * Reads the answer in the body (left in the body as a JSON tree; with {@code filesField}, the file names when
     * READY) and sets the run's vendor status.
     */
    public void apply(Exchange exchange) {
        Integer code = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (code != null && pendingHttpStatuses.contains(code)) {
            set(exchange, "PENDING", null, null);
            return;
        }
        if (filesField != null) {
            List<String> names = JSON_ANSWERS.strings(exchange.getMessage().getBody(), filesField);
            exchange.getMessage().setBody(names);
            set(exchange, names.isEmpty() ? "PENDING" : "READY", null, null);
            return;
        }
        JsonNode answer = JsonAnswers.tree(exchange.getMessage().getBody());
        exchange.getMessage().setBody(answer);
        JsonNode node = answer.path(field);
        String value = node.isMissingNode() || node.isNull() ? "" : node.asText().toLowerCase(Locale.ROOT);
        String status;
        String message = text(answer, messageField);
        if (pending.contains(value)) {
            status = "PENDING";
        } else if (ready.contains(value)) {
            status = "READY";
        } else if (cancelled.contains(value)) {
            status = "CANCELLED";
        } else if (failed.contains(value)) {
            status = "FAILED";
        } else {
            String unknown = value.isEmpty() ? "no " + field + " in the answer" : field + " '" + value + "'";
            if (message == null) {
                Object provider = exchange.getProperty(RunExchange.PROVIDER);
                throw new UnexpectedAnswerException(value.isEmpty() ? "the " + provider + " status answer has no '" + field + "'"
                        : provider + " answered " + unknown + ", which its declaration does not list (pending: "
                        + String.join(" ", pending) + "; ready: " + String.join(" ", ready) + ")");
            }
            status = "FAILED";
            message = unknown + ": " + message;
        }
        set(exchange, status, message, instant(text(answer, notBeforeField)));
    }

    private static void set(Exchange exchange, String status, String message, Instant notBefore) {
        exchange.setProperty(RunExchange.VENDOR_STATUS, status);
        exchange.setProperty(RunExchange.VENDOR_MESSAGE, io.bulkexport.vendor.VendorText.oneLine(message));
        exchange.setProperty(RunExchange.NOT_BEFORE, notBefore);
    }

    private static String text(JsonNode answer, String name) {
        if (name == null) {
            return null;
        }
        JsonNode value = answer.get(name);
        return value == null || value.isNull() || value.asText().isBlank() ? null : value.asText();
    }

    private static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null; // an estimate we cannot read only loses the hint
        }
    }

    /** The answer's field holding the status (default {@code status}). */
    public void setField(String field) {
        this.field = field;
    }

    /** Values meaning not ready yet. */
    public void setPending(List<String> values) {
        pending = values(values);
    }

    /** Values meaning the files can be listed. */
    public void setReady(List<String> values) {
        ready = values(values);
    }

    /** Values meaning the request was cancelled. */
    public void setCancelled(List<String> values) {
        cancelled = values(values);
    }

    /** Values meaning the request failed (for a value listed nowhere, see the class comment). */
    public void setFailed(List<String> values) {
        failed = values(values);
    }

    /** The answer's field explaining a failure, if any. */
    public void setMessageField(String messageField) {
        this.messageField = messageField;
    }

    /** The answer's field holding the vendor's estimate of completion (ISO date-time): no check before it. */
    public void setNotBeforeField(String notBeforeField) {
        this.notBeforeField = notBeforeField;
    }

    /** The answer's list of file names, for a vendor whose status answer is that list (see the class comment). */
    public void setFilesField(String filesField) {
        this.filesField = filesField;
    }

    /** HTTP statuses of the status answer meaning not ready yet, whatever its body. */
    public void setPendingHttpStatuses(List<Integer> statuses) {
        pendingHttpStatuses = Set.copyOf(statuses);
    }

    private static Set<String> values(List<String> values) {
        Set<String> lower = new LinkedHashSet<>();
        values.forEach(value -> lower.add(value.toLowerCase(Locale.ROOT)));
        return lower;
    }

    /** Refuses a value listed under two outcomes, or a mapping that could never say pending or ready. */
    void validate(String where) {
        if (filesField != null) {
            ProviderSpec.require(!filesField.isBlank() && pending.isEmpty() && ready.isEmpty() && cancelled.isEmpty()
                    && failed.isEmpty(), where, "status.filesField", "is a list of files, not a status field: it"
                    + " goes without pending, ready, cancelled and failed values");
            return;
        }
        ProviderSpec.require(field != null && !field.isBlank(), where, "status.field", "is missing");
        ProviderSpec.require(!pending.isEmpty() || !ready.isEmpty(), where, "status",
                "lists neither pending nor ready values");
        Map<String, Set<String>> outcomes = new LinkedHashMap<>();
        outcomes.put("pending", pending);
        outcomes.put("ready", ready);
        outcomes.put("cancelled", cancelled);
        outcomes.put("failed", failed);
        Map<String, String> seen = new HashMap<>();
        outcomes.forEach((outcome, values) -> values.forEach(value -> {
            String other = seen.putIfAbsent(value, outcome);
            ProviderSpec.require(other == null, where, "status." + outcome, "lists '" + value
                    + "', which status." + other + " lists too: a value may mean one outcome only");
        }));
    }
}
