package io.bulkexport;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scrape in Prometheus' text format (0.0.4), parsed strictly: every line must be a comment ({@code # HELP},
 * {@code # TYPE}) or a sample {@code name{label="value",…} number}; anything else fails the parse.
 */
final class PrometheusText {
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (-?[0-9.eE+-]+|NaN|[+-]Inf)(?: -?[0-9]+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");
    private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]*( .*)?");

    /** name → (sorted labels → value) */
    private final Map<String, Map<Map<String, String>, Double>> samples = new LinkedHashMap<>();

    PrometheusText(String text) {
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                if (!line.isEmpty() && !COMMENT.matcher(line).matches()) {
                    throw new AssertionError("not a Prometheus comment line: " + line);
                }
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            if (!sample.matches()) {
                throw new AssertionError("not a Prometheus sample line: " + line);
            }
            Map<String, String> labels = new TreeMap<>();
            if (sample.group(2) != null) {
                Matcher label = LABEL.matcher(sample.group(2));
                int end = 0;
                while (label.lookingAt()) {
                    labels.put(label.group(1), label.group(2));
                    end = label.end();
                    label.region(end, sample.group(2).length());
                }
                if (end != sample.group(2).length()) {
                    throw new AssertionError("bad labels in: " + line);
                }
            }
            samples.computeIfAbsent(sample.group(1), n -> new LinkedHashMap<>())
                    .put(labels, Double.parseDouble(sample.group(3).replace("Inf", "Infinity")));
        }
    }

    /** The sum of the samples of this name whose labels include these (name, value, name, value…); 0 if none. */
    double sum(String name, String... labels) {
        double total = 0;
        for (Map.Entry<Map<String, String>, Double> sample : samples.getOrDefault(name, Map.of()).entrySet()) {
            boolean matches = true;
            for (int i = 0; i < labels.length; i += 2) {
                matches &= labels[i + 1].equals(sample.getKey().get(labels[i]));
            }
            if (matches) {
                total += sample.getValue();
            }
        }
        return total;
    }

    boolean has(String name) {
        return samples.containsKey(name);
    }
}
