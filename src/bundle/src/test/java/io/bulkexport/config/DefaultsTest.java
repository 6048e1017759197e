package io.bulkexport.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.component.properties.DefaultPropertiesParser;
import org.apache.camel.component.properties.PropertiesComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged defaults are the lowest precedence in every way a runtime hands Camel its settings: a custom lookup of
 * the properties parser (how Camel Spring Boot reaches Spring's Environment), a properties file location (Camel
 * Main's application.properties), initial properties (Karaf's configuration).
 */
class DefaultsTest {
    @TempDir
    Path dir;

    @Test
    void should_let_the_parsers_custom_lookup_win_over_the_defaults_as_spring_boots_does() throws Exception {
        Map<String, String> spring = Map.of("bulkexport.jobs", "/srv/jobs/*.yaml",
                "bulkexport.state.url", "jdbc:h2:file:/srv/state/db",
                "bulkexport.coresignal.base-url", "http://127.0.0.1:8089/cdapi");
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            PropertiesComponent properties = (PropertiesComponent) context.getPropertiesComponent();
            // what org.apache.camel.spring.boot.SpringPropertiesParser does: customLookup = environment.getProperty
            properties.setPropertiesParser(new DefaultPropertiesParser(properties) {
                @Override
                public String customLookup(String key) {
                    return spring.get(key);
                }
            });
            Defaults.install(context);
            Settings settings = new Settings(context);

            assertThat(settings.optional("bulkexport.jobs").orElse("?")).isEqualTo("/srv/jobs/*.yaml");
            assertThat(settings.optional("bulkexport.state.url").orElse("?")).isEqualTo("jdbc:h2:file:/srv/state/db");
            assertThat(context.resolvePropertyPlaceholders("{{bulkexport.coresignal.base-url}}"))
                    .as("a placeholder in the packaged route files").isEqualTo("http://127.0.0.1:8089/cdapi");
            assertThat(settings.optional("bulkexport.output.dir").orElse("?")).as("a default nobody set").isEqualTo("data/out");
            assertThat(properties.getInitialProperties()).doesNotContainKeys("bulkexport.jobs", "bulkexport.state.url")
                    .containsEntry("bulkexport.run-mode", "service");
        }
    }

    @Test
    void should_keep_the_runtimes_initial_properties_and_its_properties_file_above_the_defaults() throws Exception {
        Path file = Files.writeString(dir.resolve("application.properties"), "bulkexport.output.dir = /from/file\n");
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            PropertiesComponent properties = (PropertiesComponent) context.getPropertiesComponent();
            properties.setLocation("file:" + file);
            Properties karaf = new Properties();
            karaf.setProperty("bulkexport.jobs", "/from/initial/*.yaml");
            properties.setInitialProperties(karaf);
            context.start(); // loads the file, as Camel Main has before it configures the routes
            Defaults.install(context);
            Settings settings = new Settings(context);

            assertThat(settings.optional("bulkexport.jobs").orElse("?")).isEqualTo("/from/initial/*.yaml");
            assertThat(settings.optional("bulkexport.output.dir").orElse("?")).isEqualTo("/from/file");
            assertThat(settings.optional("bulkexport.state.url").orElse("?")).startsWith("jdbc:h2:file:./data/state/bulk-export");
        }
    }

    @Test
    void should_install_every_default_where_the_runtime_sets_nothing() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Defaults.install(context);
            Properties installed = ((PropertiesComponent) context.getPropertiesComponent()).getInitialProperties();
            Properties packaged = Defaults.load();
            packaged.stringPropertyNames().stream()
                    .filter(key -> System.getProperty(key) == null && System.getenv(
                            key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_')) == null)
                    .forEach(key -> assertThat(installed.getProperty(key)).as(key).isEqualTo(packaged.getProperty(key)));
        }
    }
}
