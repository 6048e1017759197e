package io.bulkexport.vendor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads fields out of a vendor's JSON answer, for provider routes: an id under one of several names, a list. */
public class JsonAnswers {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The first of the comma-separated fields that holds a value, as text; null when none does. */
    public String field(String body, String names) {
        JsonNode json = parse(body);
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
     * An absent field is an empty list.
     */
    public List<String> strings(String body, String field) {
        JsonNode array = parse(body).path(field);
        List<String> values = new ArrayList<>();
        for (JsonNode element : array) {
            JsonNode value = element.isObject() ? element.has("url") ? element.get("url") : element.get("name") : element;
            if (value != null && value.isTextual() && !value.asText().isBlank()) {
                values.add(value.asText());
            }
        }
        return values;
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("the vendor's answer is not JSON: " + e.getMessage(), e);
        }
    }
}
