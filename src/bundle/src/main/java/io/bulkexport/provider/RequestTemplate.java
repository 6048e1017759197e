package io.bulkexport.provider;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulkexport.config.ConfigurationException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.support.DefaultExchange;

/**
 * Fills a provider's or a job's request template with a job's values: a JSON body, a URL path, a query string. The
 * templates are Camel Simple, evaluated on an exchange whose variables are the job's values, so a value is written
 * {@code ${variable.limit}}. A JSON string that is one expression becomes the value itself (a number stays a number,
 * the job's request file stays an object) and drops out when the job has no such value; {@code "...":
 * "${variable.request}"} spreads the fields of that object in place, so fields after it win. Query parameters without
 * a value drop out too; path values are percent-encoded as one segment each.
 */
public final class RequestTemplate {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FUNCTION = Pattern.compile("\\$\\{([^{}]*)}");
    private static final Pattern VARIABLE = Pattern.compile("variables?\\.([A-Za-z_][A-Za-z0-9_]*)");
    private static final String SPREAD = "...";

    private final CamelContext context;
    private final Map<String, Expression> expressions = new ConcurrentHashMap<>();

    public RequestTemplate(CamelContext context) {
        this.context = context;
    }

    /**
     * A JSON body. {@code strict}: an expression that does not parse, or names a value that is not known, is an
     * error (provider templates, a job's calls); otherwise the string is left as written (the strings of a job's own
     * request file, which may hold {@code ${…}} for reasons of its own). Returns null when the whole template drops
     * out.
     */
    public JsonNode json(JsonNode template, Map<String, ?> values, boolean strict) {
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
        if (!template.isTextual() || !template.asText().contains("${")
                || !strict && !fillable(template.asText(), values)) {
            return template;
        }
        Object value = evaluate(template.asText(), values, true);
        if (value == null) {
            return null;
        }
        return value instanceof JsonNode node ? json(node, values, false) : JSON.valueToTree(value);
    }

    /** A URL path: each value is percent-encoded as one path segment; every value it names must be set. */
    public String path(String template, Map<String, ?> values) {
        Map<String, Object> encoded = new LinkedHashMap<>();
        values.forEach((name, value) -> {
            if (value != null) {
                String text = String.valueOf(value);
                if (text.isEmpty()) {
                    throw new ConfigurationException("path template " + template + " has an empty value for "
                            + name);
                }
                encoded.put(name, encode(text));
            } else {
                encoded.put(name, null);
            }
        });
        Object path = evaluate(template, encoded, true);
        if (path == null) {
            throw new ConfigurationException("path template " + template + " needs a value that is not set");
        }
        return String.valueOf(path);
    }

    /** A query string, one parameter per key: values percent-encoded; a parameter whose value is not set drops out. */
    public String query(Map<String, String> template, Map<String, ?> values) {
        StringJoiner query = new StringJoiner("&");
        template.forEach((name, text) -> {
            Object value = text == null ? null : evaluate(String.valueOf(text), values, false);
            if (value != null) {
                query.add(encode(name) + "=" + encode(String.valueOf(value)));
            }
        });
        return query.toString();
    }

    /**
     * Checks a template where it is declared: that its Simple parses and that each {@code ${variable.NAME}} is one
     * of {@code known}. {@code where} names it in the error.
     */
    public void check(String where, String text, Set<String> known) {
        try {
            for (String name : variables(text)) {
                unknown(name, known);
            }
            expression(text);
        } catch (ConfigurationException e) {
            throw new ConfigurationException(where + ": " + e.getMessage());
        }
    }

    /** Every string in a JSON template, for {@link #check}. */
    public static List<String> strings(JsonNode template) {
        List<String> strings = new ArrayList<>();
        if (template.isTextual()) {
            strings.add(template.asText());
        }
        template.forEach(child -> strings.addAll(strings(child)));
        return strings;
    }

    /**
     * Evaluates one template. One that is a single expression yields its value, null included. One with text
     * around its expressions needs every value it names: when one is not set, the result is null if not
     * {@code strict} (a query parameter drops out), an error if {@code strict}.
     */
    private Object evaluate(String text, Map<String, ?> values, boolean strict) {
        List<String> names = variables(text);
        for (String name : names) {
            unknown(name, values.keySet());
        }
        boolean whole = FUNCTION.matcher(text).matches();
        if (!whole) {
            for (String name : names) {
                if (values.get(name) == null) {
                    if (!strict) {
                        return null;
                    }
                    throw new ConfigurationException("template '" + text + "' needs ${variable." + name
                            + "}, which is not set");
                }
            }
        }
        Exchange exchange = new DefaultExchange(context);
        values.forEach(exchange::setVariable);
        Object value = expression(text).evaluate(exchange, Object.class);
        if (exchange.getException() != null) {
            throw new ConfigurationException("template '" + text + "' failed: " + exchange.getException().getMessage());
        }
        return value;
    }

    private Expression expression(String text) {
        return expressions.computeIfAbsent(text, t -> {
            try {
                Expression expression = context.resolveLanguage("simple").createExpression(t);
                expression.init(context);
                return expression;
            } catch (RuntimeException e) {
                throw new ConfigurationException("template '" + t + "' is not a Camel Simple template ("
                        + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + "); a job's value is"
                        + " written ${variable.NAME}");
            }
        });
    }

    /** True when every expression in the text is a job value the values know: only then is it filled in. */
    private static boolean fillable(String text, Map<String, ?> values) {
        if (FUNCTION.matcher(text).replaceAll("").contains("${")) {
            return false;
        }
        Matcher function = FUNCTION.matcher(text);
        while (function.find()) {
            Matcher variable = VARIABLE.matcher(function.group(1).trim());
            if (!variable.matches() || !values.containsKey(variable.group(1))) {
                return false;
            }
        }
        return true;
    }

    private static List<String> variables(String text) {
        List<String> names = new ArrayList<>();
        Matcher function = FUNCTION.matcher(text);
        while (function.find()) {
            Matcher variable = VARIABLE.matcher(function.group(1).trim());
            if (variable.matches()) {
                names.add(variable.group(1));
            }
        }
        return names;
    }

    private static void unknown(String name, Set<String> known) {
        if (!known.contains(name)) {
            throw new ConfigurationException("template placeholder ${variable." + name + "} is unknown (known: "
                    + String.join(", ", new TreeSet<>(known)) + ")");
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
