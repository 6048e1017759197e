package io.bulkexport.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Every packaged route file (bulkexport/routes.list, less the provider declarations, which provider.schema.json
 * checks) against the JSON Schema that Camel's YAML tooling (Kaoto, the VS Code extensions) validates route files
 * with: schema/camelYamlDsl.json from the camel-yaml-dsl jar the bundle runs on. Camel's loader takes more than the
 * schema allows (it reads `constant: true` as the text "true"), so a file can run and still be marked wrong in an
 * editor: this test keeps the two in step. A failure names the file, the line and the schema's complaint.
 */
class RouteSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema SCHEMA = schema();

    private static Schema schema() {
        URL url = RouteSchemaTest.class.getResource("/schema/camelYamlDsl.json");
        assertThat(url).as("schema/camelYamlDsl.json from camel-yaml-dsl on the test classpath").isNotNull();
        try (InputStream in = url.openStream()) {
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(in, InputFormat.JSON);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + url, e);
        }
    }

    /** The packaged route files, in load order, as the bundle finds them. */
    static Stream<String> routeFiles() {
        return RouteFiles.packaged().stream().filter(name -> !name.endsWith(RouteFiles.DECLARATION));
    }

    private static String packaged(String name) {
        try (InputStream in = RouteSchemaTest.class.getClassLoader()
                .getResourceAsStream(RouteFiles.PACKAGED + name)) {
            assertThat(in).as(RouteFiles.PACKAGED + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The schema's complaints about a route file, one line per place: where (the line in the file and the JSON
     * pointer) and what. Only the innermost complaints are kept: an error inside a oneOf is reported by every
     * enclosing element too (a single `constant: true` makes some 30 errors), and the innermost one says what is
     * wrong.
     */
    static List<String> schemaErrors(String yaml) {
        Object tree = new Load(LoadSettings.builder().build()).loadFromString(yaml);
        List<Error> errors = SCHEMA.validate(JSON.valueToTree(tree));
        Node root = new Compose(LoadSettings.builder().build()).composeString(yaml).orElseThrow();
        Map<NodePath, Set<String>> innermost = new LinkedHashMap<>();
        for (Error error : errors) {
            NodePath at = error.getInstanceLocation();
            boolean inner = errors.stream().map(Error::getInstanceLocation)
                    .noneMatch(other -> other.getNameCount() > at.getNameCount() && other.startsWith(at));
            if (inner) {
                innermost.computeIfAbsent(at, k -> new LinkedHashSet<>()).add(error.getMessage());
            }
        }
        return innermost.entrySet().stream().map(e -> "line " + line(root, e.getKey()).map(String::valueOf)
                .orElse("?") + " " + e.getKey() + ": " + String.join("; ", e.getValue())).toList();
    }

    /** The line (1-based) of the YAML node at a JSON pointer, as the schema validator reports it. */
    private static Optional<Integer> line(Node root, NodePath path) {
        Node node = root;
        for (int i = 0; i < path.getNameCount() && node != null; i++) {
            Object element = path.getElement(i);
            Node next = null;
            if (node instanceof SequenceNode seq && element instanceof Integer index
                    && index < seq.getValue().size()) {
                next = seq.getValue().get(index);
            } else if (node instanceof MappingNode map) {
                for (NodeTuple entry : map.getValue()) {
                    if (entry.getKeyNode() instanceof ScalarNode key
                            && key.getValue().equals(String.valueOf(element))) {
                        next = entry.getValueNode();
                    }
                }
            }
            node = next;
        }
        return Optional.ofNullable(node).flatMap(Node::getStartMark).map(mark -> mark.getLine() + 1);
    }

    @ParameterizedTest
    @MethodSource("routeFiles")
    void should_validate_every_packaged_route_file_against_camels_yaml_dsl_schema(String file) {
        String yaml = packaged(file);
        assertThat(new Load(LoadSettings.builder().build()).loadFromString(yaml))
                .as("%s: a Camel route file is a YAML list", file).isInstanceOf(List.class);
        assertThat(schemaErrors(yaml)).as("%s against schema/camelYamlDsl.json (camel-yaml-dsl)", file).isEmpty();
    }

    @Test
    void should_check_the_route_files_and_no_provider_declaration() {
        assertThat(routeFiles()).contains("error-handling.yaml", "service-api.yaml", "providers/coresignal.yaml")
                .noneMatch(name -> name.endsWith(".provider.yaml"));
    }

    @Test
    void should_name_the_line_of_a_constant_that_is_not_text() {
        // what Camel's loader takes but the schema refuses: a constant is text, "true" and "404" are quoted
        String yaml = """
                - route:
                    id: example
                    from:
                      uri: direct:example
                      steps:
                        - setHeader:
                            name: CamelHttpResponseCode
                            constant: 404
                """;
        assertThat(schemaErrors(yaml)).singleElement().asString()
                .startsWith("line 8 /0/route/from/steps/0/setHeader/constant: ")
                .contains("integer found, string expected");
        assertThat(schemaErrors(yaml.replace("constant: 404", "constant: \"404\""))).isEmpty();
    }
}
