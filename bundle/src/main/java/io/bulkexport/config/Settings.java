package io.bulkexport.config;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import org.apache.camel.CamelContext;

/** Reads {@code bulkexport.*} settings through Camel's property placeholders, with clear errors for bad values. */
public class Settings {
    private final CamelContext context;

    public Settings(CamelContext context) {
        this.context = context;
    }

    public Optional<String> optional(String key) {
        return context.getPropertiesComponent().resolveProperty(key).map(String::trim).filter(v -> !v.isEmpty());
    }

    public String text(String key, String fallback) {
        return optional(key).orElse(fallback);
    }

    public boolean flag(String key, boolean fallback) {
        String value = text(key, String.valueOf(fallback));
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new ConfigurationException(key + " must be true or false, not '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    }

    public long whole(String key, long fallback, long min) {
        String value = text(key, String.valueOf(fallback));
        try {
            long parsed = Long.parseLong(value);
            if (parsed < min) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ConfigurationException(key + " must be a whole number of at least " + min + ", not '" + value + "'");
        }
    }

    public double decimal(String key, double fallback, double min) {
        String value = text(key, String.valueOf(fallback));
        try {
            double parsed = Double.parseDouble(value);
            if (!(parsed >= min)) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ConfigurationException(key + " must be a number of at least " + min + ", not '" + value + "'");
        }
    }

    public String oneOf(String key, String fallback, String... allowed) {
        String value = text(key, fallback);
        if (!Arrays.asList(allowed).contains(value)) {
            throw new ConfigurationException(key + " must be one of " + String.join(", ", allowed) + ", not '" + value + "'");
        }
        return value;
    }

    /** A comma-separated list. */
    public Set<String> list(String key) {
        Set<String> values = new LinkedHashSet<>();
        optional(key).ifPresent(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .forEach(values::add));
        return values;
    }

    /** All settings under a prefix, keyed by the rest of their name: {@code bulkexport.attach.JOB=ID}. */
    public Map<String, String> under(String prefix) {
        Map<String, String> found = new LinkedHashMap<>();
        Properties all = context.getPropertiesComponent().loadProperties(k -> k.startsWith(prefix));
        all.stringPropertyNames().forEach(k -> found.put(k.substring(prefix.length()), all.getProperty(k).trim()));
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(prefix))
                .forEach(k -> found.put(k.substring(prefix.length()), System.getProperty(k).trim()));
        return found;
    }
}
