package io.bulkexport.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The Spring Boot configuration metadata the bundle ships (META-INF/spring-configuration-metadata.json: completion and
 * documentation of bulkexport.* in a Spring Boot user's IDE) lists every packaged default, with the same value.
 */
class SpringMetadataTest {
    @Test
    void should_list_every_packaged_default_with_its_value() throws IOException {
        Map<String, JsonNode> listed = new HashMap<>();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("META-INF/spring-configuration-metadata.json").isNotNull();
            new ObjectMapper().readTree(in).path("properties").forEach(p -> listed.put(p.path("name").asText(), p));
        }
        Properties defaults = Defaults.load();
        for (String key : defaults.stringPropertyNames()) {
            if (!key.startsWith("bulkexport.")) {
                continue; // camel.component.http.*: Camel Spring Boot's own metadata has them
            }
            assertThat(listed).as("metadata of " + key).containsKey(key);
            String value = defaults.getProperty(key).trim();
            JsonNode listedValue = listed.get(key).path("defaultValue");
            if (value.isEmpty()) {
                assertThat(listedValue.isMissingNode()).as(key + " has no default").isTrue();
            } else if (listedValue.isDouble()) {
                assertThat(listedValue.asDouble()).as(key).isEqualTo(Double.parseDouble(value));
            } else {
                assertThat(listedValue.asText()).as(key).isEqualTo(value);
            }
        }
    }
}
