package io.bulkexport.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.bulkexport.config.RouteFiles;
import org.junit.jupiter.api.Test;

/**
 * The route files and the Java beans hand a run along in exchange properties: every property a packaged route file
 * reads ({@code ${exchangeProperty.NAME}}) or sets ({@code setProperty: name: NAME}) is one {@link RunExchange}
 * names, so a rename in Java that the YAML did not follow (or a typo in the YAML) fails here, not in a run.
 */
class RoutePropertiesTest {
    private static final Pattern READ = Pattern.compile("exchangeProperty\\.([A-Za-z]+)");
    private static final Pattern SET = Pattern.compile("setProperty:\\s*\\n\\s*name:\\s*([A-Za-z]+)");

    @Test
    void should_name_every_property_the_route_files_use_in_run_exchange() throws IOException {
        Set<String> named = Arrays.stream(RunExchange.class.getFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
                .map(RoutePropertiesTest::value).collect(Collectors.toCollection(TreeSet::new));
        Set<String> used = new TreeSet<>();
        for (String file : RouteFiles.packaged()) {
            String yaml = read(file);
            for (Pattern pattern : new Pattern[] {READ, SET}) {
                Matcher m = pattern.matcher(yaml);
                while (m.find()) {
                    used.add(m.group(1));
                }
            }
        }
        assertThat(used).as("properties the route files read or set").contains("requestId", "action", "provider")
                .isSubsetOf(named);
    }

    @Test
    void should_compare_the_action_with_the_names_of_its_values() throws IOException {
        Set<String> actions = Arrays.stream(RunExchange.Action.values()).map(Enum::name).collect(Collectors.toSet());
        Matcher compared = Pattern.compile("exchangeProperty\\.action} == '([A-Z_]+)'").matcher(read("start-job.yaml")
                + read("poll-status.yaml"));
        int seen = 0;
        while (compared.find()) {
            assertThat(actions).contains(compared.group(1));
            seen++;
        }
        assertThat(seen).isPositive();
    }

    private static String value(Field field) {
        try {
            return (String) field.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(String file) throws IOException {
        try (InputStream in = RoutePropertiesTest.class.getClassLoader()
                .getResourceAsStream(RouteFiles.PACKAGED + file)) {
            assertThat(in).as(file).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
