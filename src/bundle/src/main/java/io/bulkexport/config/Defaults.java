package io.bulkexport.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

/**
 * The default of every setting ({@code bulkexport/defaults.properties} in the bundle): the lowest precedence, below
 * whatever the hosting runtime reads (its own properties files, Spring's environment, Karaf's configuration, system
 * properties, environment variables).
 * <p>
 * They go to Camel's properties component as initial properties, but only for the keys the runtime does not resolve
 * itself. Initial properties are not the last word everywhere: Camel Spring Boot reaches Spring's {@code Environment}
 * through its properties parser's custom lookup ({@code SpringPropertiesParser}), which Camel asks only when neither
 * the override properties, the properties sources nor the initial properties hold the key. A default installed for a
 * key Spring has would hide Spring's value (application.yml, profiles, {@code --name=value}). In Camel Main and Karaf,
 * where the runtime's values are properties sources or initial properties of their own, the outcome is the same as
 * installing every default. A key the runtime already holds among its initial properties keeps its value.
 */
public final class Defaults {
    static final String RESOURCE = "bulkexport/defaults.properties";

    private Defaults() {
    }

    public static void install(CamelContext context) {
        PropertiesComponent properties = context.getPropertiesComponent();
        Properties defaults = load();
        Properties merged = new Properties();
        for (String key : defaults.stringPropertyNames()) {
            // resolved through every source the runtime has, its custom lookup (Spring's environment) included
            if (properties.resolveProperty(key).isEmpty()) {
                merged.setProperty(key, defaults.getProperty(key));
            }
        }
        if (properties instanceof org.apache.camel.component.properties.PropertiesComponent impl
                && impl.getInitialProperties() != null) {
            merged.putAll(impl.getInitialProperties());
        }
        properties.setInitialProperties(merged);
    }

    /** Adds settings that win over every other source (the emulators' addresses), keeping the runtime's own. */
    public static void override(CamelContext context, java.util.Map<String, String> settings) {
        PropertiesComponent properties = context.getPropertiesComponent();
        Properties merged = new Properties();
        if (properties instanceof org.apache.camel.component.properties.PropertiesComponent impl
                && impl.getOverrideProperties() != null) {
            merged.putAll(impl.getOverrideProperties());
        }
        merged.putAll(settings);
        properties.setOverrideProperties(merged);
    }

    /** The packaged defaults. */
    public static Properties load() {
        Properties defaults = new Properties();
        try (InputStream in = Defaults.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the bundle");
            }
            defaults.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return defaults;
    }
}
