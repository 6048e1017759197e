package io.bulkexport.provider;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulkexport.config.ConfigurationException;

/**
 * Fills a provider's or a job's request template with a job's values ({@code ${name}}): a JSON body, a URL path, a
 * query string. A JSON string that is one placeholder becomes the value itself (a number stays a number, the job's
 * request file stays an object) and drops out when the job has no such value; {@code "...": "${x}"} spreads the
 * fields of object {@code x} in place, so fields after it win. Query parameters without a value drop out too.
 */
public final class RequestTemplate {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final String SPREAD = "...";

    private RequestTemplate() {
    }

    /**
     * A JSON body. {@code strict}: a placeholder naming no known value is an error (provider templates); otherwise
     * it is left as written (a job's own request file, which may hold {@code ${…}} for reasons of its own).
     */
    public static JsonNode json(String template, Map<String, ?> values, boolean strict) {
        JsonNode parsed;
        try {
            parsed = JSON.readTree(template);
        } catch (IOException e) {
            throw new ConfigurationException("request template is not valid JSON: " + template.strip());
        }
        return json(parsed, values, strict);
    }

    /** As {@link #json(String, Map, boolean)}, for a template already parsed. Returns null when it drops out. */
    public static JsonNode json(JsonNode template, Map<String, ?> values, boolean strict) {
        if (template.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = template.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                JsonNode value = json(field.getValue(), values, strict);
                if (SPREAD.equals(field.getKey())) {
                    if (value != null && value.isObject()) {
                        value.fields().forEachRemaining(spread -> out.set(spread.getKey(), spread.getValue()));
                    }
                } else if (value != null) {
                    out.set(field.getKey(), value);
                }
            }
            return out;
        }
        if (template.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            template.forEach(element -> {
                JsonNode value = json(element, values, strict);
                if (value != null) {
                    out.add(value);
                }
            });
            return out;
        }
        if (!template.isTextual()) {
            return template;
        }
        Matcher whole = PLACEHOLDER.matcher(template.asText());
        if (whole.matches() && (values.containsKey(whole.group(1)) || strict)) {
            Object value = value(values, whole.group(1), strict);
            return value == null ? null : value instanceof JsonNode node ? json(node, values, false) : JSON.valueToTree(value);
        }
        return JsonNodeFactory.instance.textNode(interpolate(template.asText(), values, strict, s -> s));
    }

    /** A URL path: each value is percent-encoded as one path segment; every placeholder needs a value. */
    public static String path(String template, Map<String, ?> values) {
        return interpolate(template, values, true, value -> {
            if (value.isEmpty()) {
                throw new ConfigurationException("path template " + template + " has an empty value");
            }
            return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
        });
    }

    /** A query string {@code a=${x}&b=fixed}: values percent-encoded; a parameter whose value is absent drops out. */
    public static String query(String template, Map<String, ?> values) {
        StringJoiner query = new StringJoiner("&");
        for (String parameter : template.split("&")) {
            if (parameter.isBlank()) {
                continue;
            }
            Matcher placeholder = PLACEHOLDER.matcher(parameter);
            boolean absent = false;
            while (placeholder.find()) {
                absent |= value(values, placeholder.group(1), true) == null;
            }
            if (!absent) {
                int eq = parameter.indexOf('=');
                String name = eq < 0 ? parameter : parameter.substring(0, eq);
                String value = eq < 0 ? "" : interpolate(parameter.substring(eq + 1), values, true, s -> s);
                query.add(encode(name.strip()) + (eq < 0 ? "" : "=" + encode(value)));
            }
        }
        return query.toString();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String interpolate(String text, Map<String, ?> values, boolean strict,
                                      java.util.function.UnaryOperator<String> escape) {
        Matcher placeholder = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (placeholder.find()) {
            String name = placeholder.group(1);
            if (!strict && !values.containsKey(name)) {
                placeholder.appendReplacement(out, Matcher.quoteReplacement(placeholder.group()));
                continue;
            }
            Object value = value(values, name, strict);
            if (value == null) {
                throw new ConfigurationException("template '" + text + "' needs ${" + name + "}, which is not set");
            }
            String plain = value instanceof JsonNode node && node.isValueNode() ? node.asText() : String.valueOf(value);
            placeholder.appendReplacement(out, Matcher.quoteReplacement(escape.apply(plain)));
        }
        placeholder.appendTail(out);
        return out.toString();
    }

    private static Object value(Map<String, ?> values, String name, boolean strict) {
        if (strict && !values.containsKey(name)) {
            throw new ConfigurationException("template placeholder ${" + name + "} is unknown (known: "
                    + String.join(", ", new java.util.TreeSet<>(values.keySet())) + ")");
        }
        return values.get(name);
    }
}
