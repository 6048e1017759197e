package io.bulkexport.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.bulkexport.config.ConfigurationException;
import io.bulkexport.config.Defaults;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Every shipped provider declaration against the JSON Schema an editor checks it with
 * (routes/providers/provider.schema.json) and against the loader the bundle reads it with; broken declarations must
 * be refused by both, with the key that is wrong named.
 */
class ProviderDeclarationsTest {
    private static final Path PROVIDERS = Path.of("../../routes/providers");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema SCHEMA = schema();

    private final CamelContext context = context();

    private static Schema schema() {
        try (InputStream in = Files.newInputStream(PROVIDERS.resolve("provider.schema.json"))) {
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in, InputFormat.JSON);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static CamelContext context() {
        CamelContext context = new DefaultCamelContext();
        Defaults.install(context);
        return context;
    }

    static Stream<String> shipped() throws IOException {
        try (Stream<Path> files = Files.list(PROVIDERS)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(ProviderDeclarations.SUFFIX))
                    .sorted().toList().stream();
        }
    }

    private static JsonNode tree(String file) throws IOException {
        Object yaml = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(PROVIDERS.resolve(file)));
        return JSON.valueToTree(yaml);
    }

    private static List<String> schemaErrors(JsonNode declaration) {
        return SCHEMA.validate(declaration).stream().map(Error::toString).toList();
    }

    /** The loader's verdict on a declaration, written as JSON (which is YAML) under the given file name. */
    private ProviderSpec load(String file, JsonNode declaration) {
        return ProviderDeclarations.read(context, new RequestTemplate(context), file,
                ResourceHelper.fromString("mem:" + file, declaration.toString()));
    }

    private static JsonNode broken(String file, Consumer<ObjectNode> change) throws IOException {
        ObjectNode declaration = (ObjectNode) tree(file);
        change.accept(declaration);
        return declaration;
    }

    @Test
    void should_ship_the_four_providers() throws IOException {
        assertThat(shipped()).containsExactly("coresignal.provider.yaml", "data-requests.provider.yaml",
                "datafiniti-v3.provider.yaml", "datafiniti.provider.yaml");
    }

    @ParameterizedTest
    @MethodSource("shipped")
    void should_validate_every_shipped_declaration_against_the_schema_and_load_it(String file) throws IOException {
        assertThat(Files.readString(PROVIDERS.resolve(file))).startsWith("# yaml-language-server: $schema=provider.schema.json");
        JsonNode declaration = tree(file);
        assertThat(schemaErrors(declaration)).isEmpty();
        ProviderSpec spec = load("providers/" + file, declaration);
        assertThat(spec.getName() + ProviderDeclarations.SUFFIX).isEqualTo(file);
        assertThat(spec.credentialEnvs()).isNotEmpty().allMatch(env -> env.matches("[A-Z_]+"));
        assertThat(spec.api().baseUrl()).startsWith("https://");
    }

    @Test
    void should_bind_each_provider_and_its_credential_and_make_its_api_routes() throws Exception {
        Map<String, org.apache.camel.spi.Resource> files = new java.util.LinkedHashMap<>();
        for (String file : shipped().toList()) {
            files.put("providers/" + file, ResourceHelper.fromString("mem:" + file,
                    Files.readString(PROVIDERS.resolve(file))));
        }
        Map<String, ProviderSpec> providers = ProviderDeclarations.bind(context, files);
        assertThat(providers).containsOnlyKeys("coresignal", "data-requests", "datafiniti", "datafiniti-v3");
        assertThat(context.getRegistry().lookupByName("coresignal-auth")).isInstanceOf(HeaderAuth.class);
        assertThat(context.getRegistry().lookupByName("datafiniti-v3-auth")).isInstanceOf(BasicTokenAuth.class);
        assertThat(context.getRegistry().lookupByName("data-requests-auth")).isInstanceOf(OAuthClientCredentials.class);
        assertThat(providers.get("coresignal").api().rate()).isEqualTo(27);
        assertThat(providers.get("coresignal").errorHint(402)).startsWith("insufficient credits");
        assertThat(providers.get("datafiniti").methods("people")).containsExactly("search");
        assertThat(providers.get("data-requests").methods("anything")).containsExactly("create");
        assertThat(providers.get("data-requests").jobOptions().get("download").defaultText())
                .isEqualTo("GET /requests/${variable.requestId}/data");

        context.addRoutes(new org.apache.camel.builder.RouteBuilder() {
            @Override
            public void configure() throws Exception {
                org.apache.camel.support.PluginHelper.getRoutesLoader(getContext()).loadRoutes(
                        ResourceHelper.fromBytes("file:provider-api.yaml",
                                Files.readAllBytes(Path.of("../../routes/provider-api.yaml"))));
            }
        });
        assertThat(ProviderDeclarations.addApiRoutes(context, providers.values())).containsExactlyInAnyOrder(
                "coresignal-rate", "data-requests-rate", "datafiniti-rate", "coresignal-api", "data-requests-api",
                "datafiniti-api", "datafiniti-v3-api");
    }

    @Test
    void should_take_the_worked_example_of_the_provider_guide() throws IOException {
        String guide = Files.readString(Path.of("../../docs/providers.md"));
        int start = guide.indexOf("```yaml\n") + "```yaml\n".length();
        String example = guide.substring(start, guide.indexOf("```", start));
        JsonNode declaration = JSON.valueToTree(new Load(LoadSettings.builder().build()).loadFromString(example));
        assertThat(schemaErrors(declaration)).isEmpty();
        context.getPropertiesComponent().addInitialProperty("bulkexport.acme.base-url", "https://api.acme.example");
        context.getPropertiesComponent().addInitialProperty("bulkexport.acme.rate", "4");
        ProviderSpec acme = load("acme.provider.yaml", declaration);
        assertThat(acme.api().rate()).isEqualTo(4);
        assertThat(acme.status()).isNotNull();
        assertThat(acme.jobOptions().get("query").required()).isTrue();
    }

    @Test
    void should_refuse_a_misspelt_key_naming_it() throws IOException {
        JsonNode top = broken("datafiniti.provider.yaml", d -> d.set("datsets", d.remove("datasets")));
        assertThat(schemaErrors(top)).anyMatch(e -> e.contains("datsets")).anyMatch(e -> e.contains("datasets"));
        assertThatThrownBy(() -> load("datafiniti.provider.yaml", top)).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("provider declaration datafiniti.provider.yaml: unknown key 'datsets'");

        JsonNode nested = broken("datafiniti.provider.yaml",
                d -> ((ObjectNode) d.get("status")).set("pendng", ((ObjectNode) d.get("status")).remove("pending")));
        assertThat(schemaErrors(nested)).anyMatch(e -> e.contains("pendng"));
        assertThatThrownBy(() -> load("datafiniti.provider.yaml", nested))
                .hasMessageContaining("unknown key 'status.pendng' (known there: ")
                .hasMessageContaining("pending");

        JsonNode auth = broken("coresignal.provider.yaml",
                d -> ((ObjectNode) d.at("/api/auth")).put("headr", "apikey"));
        assertThat(schemaErrors(auth)).isNotEmpty();
        assertThatThrownBy(() -> load("coresignal.provider.yaml", auth))
                .hasMessageContaining("unknown key 'api.auth.headr'");
    }

    @Test
    void should_refuse_a_missing_required_key_naming_it() throws IOException {
        JsonNode noBaseUrl = broken("coresignal.provider.yaml", d -> ((ObjectNode) d.get("api")).remove("baseUrl"));
        assertThat(schemaErrors(noBaseUrl)).anyMatch(e -> e.contains("baseUrl"));
        assertThatThrownBy(() -> load("coresignal.provider.yaml", noBaseUrl))
                .hasMessage("provider declaration coresignal.provider.yaml: api.baseUrl is missing");

        JsonNode noHeader = broken("coresignal.provider.yaml", d -> ((ObjectNode) d.at("/api/auth")).remove("header"));
        assertThat(schemaErrors(noHeader)).isNotEmpty();
        assertThatThrownBy(() -> load("coresignal.provider.yaml", noHeader))
                .hasMessageContaining("api.auth.header is missing");

        JsonNode noDatasets = broken("datafiniti-v3.provider.yaml", d -> d.remove("datasets"));
        assertThat(schemaErrors(noDatasets)).anyMatch(e -> e.contains("datasets"));
        assertThatThrownBy(() -> load("datafiniti-v3.provider.yaml", noDatasets))
                .hasMessageContaining(": datasets is missing");
    }

    @Test
    void should_refuse_a_status_listed_under_two_outcomes_naming_both() throws IOException {
        JsonNode twice = broken("datafiniti.provider.yaml",
                d -> ((ArrayNode) d.at("/status/ready")).add("running"));
        // JSON Schema cannot compare two lists: the loader, which every runtime goes through, refuses it
        assertThatThrownBy(() -> load("datafiniti.provider.yaml", twice)).isInstanceOf(ConfigurationException.class)
                .hasMessage("provider declaration datafiniti.provider.yaml: status.ready lists 'running', which"
                        + " status.pending lists too: a value may mean one outcome only");
        JsonNode sameCaseless = broken("datafiniti.provider.yaml",
                d -> ((ArrayNode) d.at("/status/cancelled")).add("Completed"));
        assertThatThrownBy(() -> load("datafiniti.provider.yaml", sameCaseless))
                .hasMessageContaining("status.cancelled lists 'completed', which status.ready lists too");
    }

    @Test
    void should_refuse_values_of_the_wrong_kind_naming_the_key() throws IOException {
        JsonNode rate = broken("coresignal.provider.yaml", d -> ((ObjectNode) d.get("api")).put("rate", "fast"));
        assertThatThrownBy(() -> load("coresignal.provider.yaml", rate)).hasMessageContaining(": api.rate ");
        JsonNode type = broken("coresignal.provider.yaml",
                d -> ((ObjectNode) d.at("/jobOptions/limit")).put("type", "number"));
        assertThat(schemaErrors(type)).isNotEmpty();
        assertThatThrownBy(() -> load("coresignal.provider.yaml", type))
                .hasMessageContaining("jobOptions.limit.type must be string, integer, boolean, file or call");
        JsonNode ids = broken("coresignal.provider.yaml", d -> d.put("requestIds", "server"));
        assertThat(schemaErrors(ids)).isNotEmpty();
        assertThatThrownBy(() -> load("coresignal.provider.yaml", ids)).hasMessageContaining("requestIds");
    }

    @Test
    void should_refuse_a_template_naming_an_unknown_value_or_not_in_simple() throws IOException {
        JsonNode unknown = broken("datafiniti.provider.yaml",
                d -> ((ObjectNode) d.at("/submit/body")).put("num_records", "${variable.limt}"));
        assertThatThrownBy(() -> load("datafiniti.provider.yaml", unknown))
                .hasMessageStartingWith("provider declaration datafiniti.provider.yaml: submit.body: template"
                        + " placeholder ${variable.limt} is unknown (known: all_records, dataset, format, limit");
        JsonNode old = broken("datafiniti-v3.provider.yaml",
                d -> ((ObjectNode) d.at("/submit/query")).put("q", "${query}"));
        assertThatThrownBy(() -> load("datafiniti-v3.provider.yaml", old))
                .hasMessageContaining("submit.query.q: template '${query}' is not a Camel Simple template");
        JsonNode call = broken("data-requests.provider.yaml",
                d -> ((ObjectNode) d.at("/jobOptions/download")).put("default", "GET /requests/${variable.id}"));
        assertThatThrownBy(() -> load("data-requests.provider.yaml", call))
                .hasMessageContaining("jobOptions.download.default: template placeholder ${variable.id} is unknown");
    }

    @Test
    void should_refuse_a_name_that_is_not_the_files() throws IOException {
        JsonNode renamed = broken("coresignal.provider.yaml", d -> d.put("name", "coresignal2"));
        assertThatThrownBy(() -> load("providers/coresignal.provider.yaml", renamed))
                .hasMessageContaining("name is 'coresignal2', but the file says 'coresignal'");
    }
}
