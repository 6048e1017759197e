package io.bulkexport.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.bulkexport.presigned.PresignedLinks;
import io.bulkexport.provider.ProviderDeclarations;
import io.bulkexport.provider.ProviderSpec;
import io.bulkexport.provider.ProviderStatus;
import io.bulkexport.vendor.JsonAnswers;
import io.bulkexport.vendor.UnexpectedAnswerException;
import io.bulkexport.run.RunExchange;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

/**
 * The Datafiniti v4 provider's status route (routes/providers/datafiniti.yaml) as a route: the answer of
 * {@code GET /v4/downloads/{id}} is played by the test in place of the API call (AdviceWith), and the status mapping
 * of its declaration (datafiniti.provider.yaml) and the presigned listing decide what the pipeline is told.
 */
class DatafinitiStatusRouteTest extends CamelTestSupport {
    private String answer;

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties settings = new Properties();
        settings.setProperty("bulkexport.datafiniti.base-url", "https://api.datafiniti.example");
        settings.setProperty("bulkexport.datafiniti.rate", "100");
        settings.setProperty("bulkexport.datafiniti.download-hosts", "*.s3.amazonaws.com");
        return settings;
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        ApiRouteBeans.bind(registry);
        registry.bind("jsonAnswers", new JsonAnswers());
        registry.bind("providerStatus", new ProviderStatus());
        registry.bind("presignedLinks", new PresignedLinks(Clock.systemUTC()));
        registry.bind("requestBodies", new io.bulkexport.vendor.RequestBodies()); // the file's submit route, unused
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() throws Exception {
                String declaration = "providers/datafiniti.provider.yaml";
                Map<String, ProviderSpec> providers = ProviderDeclarations.bind(getContext(), Map.of(declaration,
                        ResourceHelper.fromBytes("file:" + declaration, Files.readAllBytes(Path.of("../../routes",
                                declaration)))));
                for (String file : List.of("error-handling.yaml", "provider-api.yaml", "providers/datafiniti.yaml")) {
                    PluginHelper.getRoutesLoader(getContext()).loadRoutes(ResourceHelper.fromBytes(
                            "file:" + file, Files.readAllBytes(Path.of("../../routes", file))));
                }
                ProviderDeclarations.addApiRoutes(getContext(), providers.values());
            }
        };
    }

    private Exchange status(String vendorAnswer) throws Exception {
        answer = vendorAnswer;
        if (!context.isStarted()) {
            AdviceWith.adviceWith(context, "datafiniti-download", route -> route
                    .interceptSendToEndpoint("direct:datafiniti-api").skipSendToOriginalEndpoint()
                    .process(exchange -> {
                        assertThat(exchange.getProperty(RunExchange.HTTP_PATH)).isEqualTo("/v4/downloads/847070");
                        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
                        exchange.getMessage().setBody(answer);
                    }));
            context.start();
        }
        return template.request("direct:datafiniti-status", exchange -> {
            exchange.setProperty("provider", "datafiniti");
            exchange.setProperty("requestId", "847070");
        });
    }

    @Test
    void should_map_each_status_to_what_the_pipeline_acts_on() throws Exception {
        assertThat(status("{\"id\": 847070, \"status\": \"queued\"}").getProperty("vendorStatus")).isEqualTo("PENDING");
        assertThat(status("{\"status\": \"running\"}").getProperty("vendorStatus")).isEqualTo("PENDING");
        assertThat(status("{\"status\": \"cancelled\"}").getProperty("vendorStatus")).isEqualTo("CANCELLED");
        Exchange failed = status("{\"status\": \"error\", \"error\": \"query timed out\"}");
        assertThat(failed.getProperty("vendorStatus")).isEqualTo("FAILED");
        assertThat(failed.getProperty("vendorMessage", String.class)).isEqualTo("status 'error': query timed out");
    }

    @Test
    void should_list_the_files_of_a_completed_download_by_name_keeping_their_urls_out_of_the_message() throws Exception {
        Exchange ready = status("{\"status\": \"completed\", \"results\": ["
                + "\"https://datafiniti-downloads.s3.amazonaws.com/15/847070_1.txt?X-Amz-Signature=secret1\","
                + "{\"url\": \"https://datafiniti-downloads.s3.amazonaws.com/15/847070_2.txt?X-Amz-Signature=secret2\"}]}");
        assertThat(ready.getException()).isNull();
        assertThat(ready.getProperty("vendorStatus")).isEqualTo("READY");
        assertThat(ready.getMessage().getBody(List.class)).containsExactly("847070_1.txt", "847070_2.txt");
        assertThat(ready.getMessage().getHeaders().toString()).doesNotContain("secret");
    }

    @Test
    void should_refuse_a_status_its_declaration_does_not_list_so_that_it_is_checked_again() throws Exception {
        Exchange unknown = status("{\"status\": \"preparing\"}");
        assertThat(unknown.getException()).isInstanceOf(UnexpectedAnswerException.class)
                .hasMessageContaining("datafiniti answered status 'preparing', which its declaration does not list");
        assertThat(unknown.getProperty("vendorStatus")).isNull();
    }
}
