package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;

/**
 * The bundle's jar as a runtime gets it (run by {@code mvn verify}, after the jar is built): the beans, the routes and
 * the defaults; no emulator, no logging backend, nothing only tests use; and an OSGi manifest that imports Camel as
 * [4.18,5) and exports only the entry points.
 */
class BundleContentsTest {
    /** Set by the build to the jar it made. */
    static final Path JAR = Path.of(System.getProperty("bulkexport.bundle.jar", "target/bulk-export.jar"));

    @Test
    void should_hold_the_beans_routes_and_defaults() throws IOException {
        List<String> names = entries();
        assertThat(names).contains("io/bulkexport/BulkExportRoutes.class", "io/bulkexport/Emulators.class",
                "io/bulkexport/run/Submissions.class", "bulkexport/defaults.properties", "bulkexport/routes.list",
                "bulkexport/routes/start-job.yaml", "bulkexport/routes/providers/coresignal.yaml");
    }

    @Test
    void should_hold_no_emulator_logging_backend_or_test_code() throws IOException {
        List<String> names = entries();
        assertThat(names).as("emulators").noneMatch(n -> n.startsWith("io/bulkexport/sandbox/"));
        assertThat(names).as("an emulator factory for the ServiceLoader")
                .noneMatch(n -> n.startsWith("META-INF/services/") && n.contains("Emulators"));
        assertThat(names).as("logging backends and their configuration").noneMatch(n -> n.startsWith("org/apache/logging/")
                || n.startsWith("ch/qos/") || n.startsWith("org/slf4j/") || n.matches("(log4j2?|logback)[^/]*"));
        assertThat(names).as("test code").noneMatch(n -> n.matches(".*(Test|Tests|TestSupport|Harness)(\\$.*)?\\.class"));
        assertThat(names).as("only classes of the bundle's own package")
                .allMatch(n -> !n.endsWith(".class") || n.startsWith("io/bulkexport/"));
    }

    @Test
    void should_depend_on_slf4j_api_alone_for_logging() throws IOException {
        String pom = text("META-INF/maven/io.bulkexport/bulk-export/pom.xml");
        assertThat(pom).contains("<artifactId>slf4j-api</artifactId>")
                .doesNotContain("log4j-core").doesNotContain("log4j-slf4j").doesNotContain("logback-classic")
                .doesNotContain("bulk-export-sandbox");
    }

    @Test
    void should_be_an_osgi_bundle_importing_camel_4_18_and_exporting_only_its_entry_points() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            Attributes manifest = jar.getManifest().getMainAttributes();
            assertThat(manifest.getValue("Bundle-ManifestVersion")).isEqualTo("2");
            assertThat(manifest.getValue("Bundle-SymbolicName")).isEqualTo("io.bulkexport");
            String exports = manifest.getValue("Export-Package");
            assertThat(exports).startsWith("io.bulkexport;").doesNotContain("io.bulkexport.");
            String imports = manifest.getValue("Import-Package");
            assertThat(imports).contains("org.apache.camel;version=\"[4.18,5)\"")
                    .contains("org.apache.camel.builder;version=\"[4.18,5)\"");
        }
    }

    private static List<String> entries() throws IOException {
        assertThat(JAR).as("the bundle's jar (mvn package)").isRegularFile();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            return Collections.list(jar.entries()).stream().map(ZipEntry::getName).filter(n -> !n.endsWith("/"))
                    .toList();
        }
    }

    private static String text(String entry) throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            ZipEntry found = jar.getEntry(entry);
            assertThat(found).as(entry).isNotNull();
            return new String(jar.getInputStream(found).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static boolean built() {
        return Files.isRegularFile(JAR);
    }
}
