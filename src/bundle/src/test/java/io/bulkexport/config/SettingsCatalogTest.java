package io.bulkexport.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * One source for every default: the settings the code and the route files read (every {@code "bulkexport.…"} name in
 * the main sources of the bundle, the emulators and the app, every {@code {{bulkexport.…}}} placeholder in the
 * packaged route files) have their default in {@code bulkexport/defaults.properties} — the getters of
 * {@link Settings} take none of their own — and {@code config/application.properties}, the reference users read,
 * documents each with the same value; nothing is there that nothing reads.
 */
class SettingsCatalogTest {
    /** Settings that have no default by nature (documented, commented out, in config/application.properties). */
    private static final Set<String> NO_DEFAULT = Set.of("bulkexport.new-run", "bulkexport.s3.region",
            "bulkexport.s3.endpoint", "bulkexport.state.user", "bulkexport.state.password",
            "bulkexport.data-requests.scope", "bulkexport.config");
    /** Where the shipped configuration differs from the default on purpose: the demo runs on the emulators. */
    private static final Set<String> DEMO_VALUES = Set.of("bulkexport.sandbox.enabled");
    /** A setting's name given to a getter (Settings', a properties component's, a Properties'), or a constant's. */
    private static final String GETTER = "(?:text|textOrEmpty|flag|whole|decimal|oneOf|optional|list|defaultOf"
            + "|getProperty|resolveProperty)\\(\\s*";
    private static final Pattern NAME_IN_JAVA = Pattern.compile(GETTER + "\"(bulkexport\\.[a-z][a-z0-9.-]*[a-z0-9])\"");
    private static final Pattern CONSTANT_IN_JAVA = Pattern.compile(GETTER + "(?:\\w+\\.)?([A-Z][A-Z_]*)[,)]");
    private static final Pattern CONSTANT = Pattern.compile(
            "String ([A-Z][A-Z_]*) = \"(bulkexport\\.[a-z][a-z0-9.-]*[a-z0-9])\"");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\??(bulkexport\\.[a-z][a-z0-9.-]*[a-z0-9])");
    private static final Pattern DOCUMENTED = Pattern.compile("(?m)^(#?)(bulkexport\\.[a-z][a-z0-9.<>-]*)\\s*=(.*)$");

    @Test
    void should_have_a_packaged_default_for_every_setting_read_and_read_every_default() throws IOException {
        Set<String> read = settingsRead();
        Set<String> defaults = bulkexportKeys(Defaults.load());
        assertThat(read).as("settings read somewhere, less those with no default by nature")
                .filteredOn(key -> !NO_DEFAULT.contains(key)).isSubsetOf(defaults);
        assertThat(defaults).as("defaults of settings nothing reads").isSubsetOf(read);
    }

    @Test
    void should_document_every_default_with_its_value_in_the_shipped_configuration() throws IOException {
        Properties defaults = Defaults.load();
        Map<String, String> documented = new TreeMap<>();
        Set<String> active = new TreeSet<>();
        Matcher m = DOCUMENTED.matcher(Files.readString(Path.of("../../config/application.properties")));
        while (m.find()) {
            documented.put(m.group(2), m.group(3).trim());
            if (m.group(1).isEmpty()) {
                active.add(m.group(2));
            }
        }
        assertThat(documented.keySet()).as("documented in config/application.properties")
                .containsAll(bulkexportKeys(defaults)).containsAll(NO_DEFAULT.stream()
                        .filter(key -> !key.equals("bulkexport.config")).toList());
        for (String key : active) {
            if (!DEMO_VALUES.contains(key)) {
                assertThat(documented.get(key)).as(key + " in config/application.properties, against its default")
                        .isEqualTo(defaults.getProperty(key, "(no default)").trim());
            }
        }
        // what is documented is read: a default, a setting with none, or an example of a per-job/provider name
        assertThat(documented.keySet()).filteredOn(key -> !key.startsWith("bulkexport.attach.")
                        && !key.startsWith("bulkexport.since.") && !key.contains("budget.")
                        && !key.matches("bulkexport\\.[a-z0-9-]+\\.retry\\..*") || key.startsWith("bulkexport.retry."))
                .isSubsetOf(union(bulkexportKeys(defaults), NO_DEFAULT));
    }

    @Test
    void should_fail_loudly_for_a_setting_read_without_a_default() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Settings.defaultOf("bulkexport.no-such-setting"))
                .hasMessageContaining("bulkexport.no-such-setting has no default in bulkexport/defaults.properties");
        assertThat(Settings.defaultOf("bulkexport.state.url")).endsWith(";WRITE_DELAY=0");
    }

    private static Set<String> settingsRead() throws IOException {
        Set<String> read = new TreeSet<>();
        Set<String> constantsRead = new TreeSet<>();
        Map<String, String> constants = new TreeMap<>();
        for (String root : new String[] {"src/main/java", "../sandbox/src/main/java", "../app/src/main/java"}) {
            try (Stream<Path> files = Files.walk(Path.of(root))) {
                for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String java = Files.readString(file);
                    collect(NAME_IN_JAVA, java, read);
                    collect(CONSTANT_IN_JAVA, java, constantsRead);
                    Matcher constant = CONSTANT.matcher(java);
                    while (constant.find()) {
                        constants.put(constant.group(1), constant.group(2));
                    }
                }
            }
        }
        constantsRead.stream().filter(constants::containsKey).map(constants::get).forEach(read::add);
        for (String file : RouteFiles.packaged()) {
            try (InputStream in = SettingsCatalogTest.class.getClassLoader()
                    .getResourceAsStream(RouteFiles.PACKAGED + file)) {
                collect(PLACEHOLDER, new String(in.readAllBytes(), StandardCharsets.UTF_8), read);
            }
        }
        return read;
    }

    private static void collect(Pattern pattern, String text, Set<String> into) {
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            into.add(m.group(1));
        }
    }

    private static Set<String> bulkexportKeys(Properties properties) {
        Set<String> keys = new TreeSet<>();
        properties.stringPropertyNames().stream().filter(k -> k.startsWith("bulkexport.")).forEach(keys::add);
        return keys;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
