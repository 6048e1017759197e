package io.bulkexport.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouteFilesTest {
    /** The project's routes folder, which the build packages under bulkexport/routes/. */
    static final Path ROUTES = Path.of("../../routes");

    @Test
    void should_list_every_packaged_route_file() throws IOException {
        try (Stream<Path> files = Files.walk(ROUTES)) {
            assertThat(RouteFiles.packaged()).as("bulkexport/routes.list against routes/")
                    .containsExactlyInAnyOrderElementsOf(files.filter(f -> f.toString().endsWith(".yaml"))
                            .map(f -> ROUTES.relativize(f).toString().replace('\\', '/')).toList());
        }
    }

    private static int routeFiles() {
        return (int) RouteFiles.packaged().stream().filter(name -> !name.endsWith(".provider.yaml")).count();
    }

    @Test
    void should_take_the_packaged_files_when_there_is_no_routes_folder(@TempDir Path dir) {
        RouteFiles files = RouteFiles.find(new DefaultCamelContext(), dir.resolve("absent"));
        assertThat(files.edited()).isEmpty();
        assertThat(Arrays.stream(files.resources()).map(r -> r.getLocation()))
                .hasSize(routeFiles()).allMatch(l -> l.startsWith("classpath:bulkexport/routes/"))
                .noneMatch(l -> l.endsWith(".provider.yaml"));
        assertThat(files.declarations().keySet()).containsExactly("providers/coresignal.provider.yaml",
                "providers/datafiniti.provider.yaml", "providers/datafiniti-v3.provider.yaml",
                "providers/data-requests.provider.yaml");
    }

    @Test
    void should_replace_a_packaged_file_by_its_edited_copy_and_add_new_ones(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("providers"));
        Files.writeString(dir.resolve("providers/coresignal.yaml"), "# edited\n");
        Files.writeString(dir.resolve("providers/acme.yaml"), "# a provider of my own\n");
        Files.writeString(dir.resolve("providers/acme.provider.yaml"), "name: acme\n");
        RouteFiles files = RouteFiles.find(new DefaultCamelContext(), dir);
        assertThat(files.edited()).containsExactly("providers/acme.provider.yaml", "providers/acme.yaml",
                "providers/coresignal.yaml");
        assertThat(files.declarations()).hasSize(5).containsKey("providers/acme.provider.yaml");
        assertThat(files.declarations().get("providers/acme.provider.yaml").getLocation())
                .isEqualTo("file:" + dir.resolve("providers/acme.provider.yaml").toAbsolutePath());
        assertThat(Arrays.stream(files.resources()).map(r -> r.getLocation()).toList())
                .hasSize(routeFiles() + 1)
                .doesNotContain("classpath:bulkexport/routes/providers/coresignal.yaml")
                .contains("file:" + dir.resolve("providers/coresignal.yaml").toAbsolutePath(),
                        "file:" + dir.resolve("providers/acme.yaml").toAbsolutePath(),
                        "classpath:bulkexport/routes/start-job.yaml");
    }
}
