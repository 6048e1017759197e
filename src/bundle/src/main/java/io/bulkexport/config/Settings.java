package io.bulkexport.config;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import org.apache.camel.CamelContext;

/**
 * Reads {@code bulkexport.*} settings through Camel's property placeholders, with clear errors for bad values. A
 * setting nobody set has its value from {@code bulkexport/defaults.properties}, the one place defaults are written:
 * the getters take none of their own.
 */
public class Settings {
    private static final Properties DEFAULTS = Defaults.load();
    private final CamelContext context;

    public Settings(CamelContext context) {
        this.context = context;
    }

    /** The value set for the key, if it is set and not blank; no default. */
    public Optional<String> optional(String key) {
        return context.getPropertiesComponent().resolveProperty(key).map(String::trim).filter(v -> !v.isEmpty());
    }

    /** The value set for the key (not blank), else its default. */
    public String text(String key) {
        return optional(key).orElseGet(() -> defaultOf(key));
    }

    /** As {@link #text}, but a value set empty stays empty ("none"), where the default is something. */
    public String textOrEmpty(String key) {
        return context.getPropertiesComponent().resolveProperty(key).map(String::trim)
                .orElseGet(() -> defaultOf(key));
    }

    /** The packaged default of a setting; a setting read without one is a mistake of the bundle's. */
    public static String defaultOf(String key) {
        String value = DEFAULTS.getProperty(key);
        if (value == null) {
            throw new IllegalStateException(key + " has no default in " + Defaults.RESOURCE);
        }
        return value.trim();
    }

    public boolean flag(String key) {
        String value = text(key);
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new ConfigurationException(key + " must be true or false, not '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    }

    public long whole(String key, long min) {
        String value = text(key);
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

    public double decimal(String key, double min) {
        String value = text(key);
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

    public String oneOf(String key, String... allowed) {
        String value = text(key);
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
