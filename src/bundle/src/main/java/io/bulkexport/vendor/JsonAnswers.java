package io.bulkexport.vendor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;

/**
 * Reads a vendor's JSON answer for provider routes: the whole answer as a tree, an id under one of several names,
 * a list. The answer may be a tree, text, bytes or the response stream.
 */
public class JsonAnswers {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads the answer once and puts it back in the body as a JSON tree (an empty answer is an empty object). */
    public void parse(Exchange exchange) {
        exchange.getMessage().setBody(tree(exchange.getMessage().getBody()));
    }

    /** The first of the comma-separated fields that holds a value, as text; null when none does. */
    public String field(Object body, String names) {
        JsonNode json = tree(body);
        for (String name : names.split(",")) {
            JsonNode value = json.get(name.trim());
            if (value != null && !value.isNull() && !value.asText().isBlank()) {
                return value.asText();
            }
        }
        return null;
    }

    /**
     * The strings in array {@code field}; elements that are objects contribute their {@code url} (or {@code name}).
     * An answer without that array, or with an element that names nothing, is refused whole: taking the names that
     * can be read would pass a partial list for the complete one.
     *
     * @throws UnexpectedAnswerException naming what is missing or unreadable
     */
    public List<String> strings(Object body, String field) {
        JsonNode answer = tree(body);
        JsonNode array = answer.path(field);
        if (!array.isArray()) {
            throw new UnexpectedAnswerException("the answer has no '" + field + "' list"
                    + (array.isMissingNode() ? "" : " (" + field + " is " + array.getNodeType().name().toLowerCase()
                    + ")") + ": " + clip(answer.toString()));
        }
        List<String> values = new ArrayList<>();
        for (JsonNode element : array) {
            JsonNode value = element.isObject() ? element.has("url") ? element.get("url") : element.get("name") : element;
            if (value == null || !value.isTextual() || value.asText().isBlank()) {
                throw new UnexpectedAnswerException("the answer's '" + field + "' list holds " + clip(element.toString())
                        + ", not a file name");
            }
            values.add(value.asText());
        }
        return values;
    }

    /** The answer as a JSON tree. */
    public static JsonNode tree(Object body) {
        try {
            if (body instanceof JsonNode node) {
                return node;
            }
            JsonNode parsed = null;
            if (body instanceof InputStream in) {
                try (in) {
                    parsed = JSON.readTree(in);
                }
            } else if (body instanceof byte[] bytes) {
                parsed = JSON.readTree(bytes);
            } else if (body != null && !body.toString().isBlank()) {
                parsed = JSON.readTree(body.toString());
            }
            return parsed == null || parsed.isMissingNode() ? JSON.createObjectNode() : parsed;
        } catch (JsonProcessingException e) {
            throw new UnexpectedAnswerException("the vendor's answer is not JSON: " + clip(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the vendor's answer: " + e.getMessage(), e);
        }
    }

    /** At most 200 characters of text quoted from an answer, on one line. */
    static String clip(String text) {
        String oneLine = Redaction.withoutQueries(String.valueOf(text).replaceAll("\\s+", " "));
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "…";
    }
}
