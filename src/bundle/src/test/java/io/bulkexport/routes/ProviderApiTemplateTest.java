package io.bulkexport.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.bulkexport.provider.HeaderAuth;
import io.bulkexport.provider.ProviderSpec;
import io.bulkexport.vendor.RetryableVendorException;
import io.bulkexport.vendor.VendorRejectedException;
import io.bulkexport.run.RunExchange;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

/**
 * The provider-rate and provider-api templates of routes/provider-api.yaml as routes: instantiated for a provider of
 * the test's, the HTTP call replaced by a mock vendor (AdviceWith), answers checked the way every provider's are.
 */
class ProviderApiTemplateTest extends CamelTestSupport {
    private final List<Long> callTimes = new ArrayList<>();

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        ApiRouteBeans.bind(registry);
        HeaderAuth auth = new HeaderAuth();
        auth.setHeader("apikey");
        auth.setCredentialEnv("ACME_API_KEY");
        auth.setBaseUrl("http://127.0.0.1:9");
        registry.bind("acmeAuth", auth);
        ProviderSpec acme = new ProviderSpec();
        acme.setName("acme");
        acme.setErrorHints(java.util.Map.of(401, "invalid API key: check ACME_API_KEY"));
        registry.bind("acme", acme);
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() throws Exception {
                for (String file : List.of("error-handling.yaml", "provider-api.yaml")) {
                    PluginHelper.getRoutesLoader(getContext()).loadRoutes(ResourceHelper.fromBytes(
                            "file:" + file, Files.readAllBytes(Path.of("../../routes", file))));
                }
                TemplatedRouteBuilder.builder(getContext(), "provider-rate").routeId("acme-rate")
                        .parameter("name", "acme-rate").parameter("rate", "3").add();
                TemplatedRouteBuilder.builder(getContext(), "provider-api").routeId("acme-api")
                        .parameter("name", "acme-api").parameter("provider", "acme")
                        .parameter("baseUrl", "http://127.0.0.1:9").parameter("auth", "acmeAuth")
                        .parameter("rateRoute", "acme-rate").add();
            }
        };
    }

    private MockEndpoint vendorAnswering(int status, String body) throws Exception {
        AdviceWith.adviceWith(context, "acme-api",
                route -> route.weaveByType(ToDynamicDefinition.class).replace().to("mock:vendor"));
        context.start();
        MockEndpoint vendor = getMockEndpoint("mock:vendor");
        vendor.whenAnyExchangeReceived(exchange -> {
            synchronized (callTimes) {
                callTimes.add(System.nanoTime());
            }
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
            exchange.getMessage().setBody(body);
        });
        return vendor;
    }

    private Exchange call(String path) {
        return template.request("direct:acme-api", e -> e.setProperty(RunExchange.HTTP_PATH, path));
    }

    @Test
    void should_pass_a_success_through_with_the_request_path_the_caller_chose() throws Exception {
        MockEndpoint vendor = vendorAnswering(200, "{\"request_id\": \"r-1\"}");
        vendor.expectedMessageCount(1);
        vendor.expectedHeaderReceived(Exchange.HTTP_PATH, "/v1/requests");
        Exchange answer = call("/v1/requests");
        assertThat(answer.getException()).isNull();
        assertThat(answer.getMessage().getBody(String.class)).isEqualTo("{\"request_id\": \"r-1\"}");
        vendor.assertIsSatisfied();
    }

    @Test
    void should_send_only_the_call_its_caller_declared_never_a_header_the_exchange_carried() throws Exception {
        MockEndpoint vendor = vendorAnswering(200, "{}");
        Exchange post = template.request("direct:acme-api", e -> {
            // what a route, a bean or an earlier answer may leave on an exchange
            e.getMessage().setHeader("Authorization", "Bearer someone-elses");
            e.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/html");
            e.getMessage().setHeader(Exchange.HTTP_QUERY, "stale=1");
            e.getMessage().setHeader("X-Amz-Meta-Job", "engineers");
            e.setProperty(RunExchange.HTTP_METHOD, "POST");
            e.setProperty(RunExchange.HTTP_PATH, "/v1/requests");
            e.setProperty(RunExchange.CONTENT_TYPE, "application/json");
            e.getMessage().setBody("{\"q\": 1}");
        });
        assertThat(post.getException()).isNull();
        Map<String, Object> sent = vendor.getReceivedExchanges().get(0).getMessage().getHeaders();
        assertThat(sent).containsOnlyKeys(Exchange.HTTP_METHOD, Exchange.HTTP_PATH, Exchange.CONTENT_TYPE)
                .containsEntry(Exchange.HTTP_METHOD, "POST").containsEntry(Exchange.CONTENT_TYPE, "application/json");
        assertThat(vendor.getReceivedExchanges().get(0).getMessage().getBody(String.class)).isEqualTo("{\"q\": 1}");

        // the same exchange (now holding the first answer's headers) calls again, declaring only a path: a GET without
        // the first call's type, query, body or answer
        post.setProperty(RunExchange.HTTP_PATH, "/v1/requests/r-1");
        template.send("direct:acme-api", post);
        Exchange get = vendor.getReceivedExchanges().get(1);
        assertThat(get.getMessage().getHeaders()).containsOnlyKeys(Exchange.HTTP_METHOD, Exchange.HTTP_PATH)
                .containsEntry(Exchange.HTTP_METHOD, "GET").containsEntry(Exchange.HTTP_PATH, "/v1/requests/r-1");
        assertThat(get.getMessage().getBody()).isNull();
    }

    @Test
    void should_refuse_a_call_whose_route_declared_no_path() throws Exception {
        MockEndpoint vendor = vendorAnswering(200, "{}");
        Exchange undeclared = template.request("direct:acme-api", e -> {
            e.setProperty(RunExchange.HTTP_METHOD, "POST");
            e.getMessage().setHeader(Exchange.HTTP_QUERY, "q=1");
        });
        assertThat(undeclared.getException()).hasMessageContaining("set exchange property httpPath");
        assertThat(vendor.getReceivedExchanges()).isEmpty();
    }

    @Test
    void should_still_send_a_call_an_older_edited_route_sets_as_headers_and_nothing_else() throws Exception {
        MockEndpoint vendor = vendorAnswering(200, "{}");
        template.request("direct:acme-api", e -> {
            // as provider routes did before calls were declared in properties (they dropped every header first)
            e.getMessage().setHeader(Exchange.HTTP_METHOD, "GET");
            e.getMessage().setHeader(Exchange.HTTP_PATH, "/v3/data/products");
            e.getMessage().setHeader(Exchange.HTTP_QUERY, "q=a&download=true");
            e.getMessage().setHeader("X-Stray", "from somewhere");
        });
        assertThat(vendor.getReceivedExchanges().get(0).getMessage().getHeaders())
                .containsOnlyKeys(Exchange.HTTP_METHOD, Exchange.HTTP_PATH, Exchange.HTTP_QUERY)
                .containsEntry(Exchange.HTTP_PATH, "/v3/data/products")
                .containsEntry(Exchange.HTTP_QUERY, "q=a&download=true");
    }

    @Test
    void should_make_a_429_retryable_and_a_401_a_refusal_with_the_providers_hint() throws Exception {
        vendorAnswering(429, "{\"detail\": \"slow down\"}");
        Exchange throttled = call("/v1/requests");
        assertThat(throttled.getException()).isInstanceOf(RetryableVendorException.class)
                .hasMessage("acme answered 429: slow down");

        getMockEndpoint("mock:vendor").whenAnyExchangeReceived(exchange -> {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 401);
            exchange.getMessage().setBody("{\"detail\": \"bad key\"}");
        });
        Exchange refused = call("/v1/requests");
        assertThat(refused.getException()).isInstanceOf(VendorRejectedException.class)
                .hasMessage("acme answered 401: bad key — invalid API key: check ACME_API_KEY");
    }

    @Test
    void should_hold_the_rate_limit_of_its_rate_route() throws Exception {
        vendorAnswering(200, "{}");
        long start = System.nanoTime();
        for (int i = 0; i < 7; i++) {
            call("/v1/status");
        }
        // 3 calls in any second: the 7th cannot go before two full periods have passed
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(1900));
        assertThat(callTimes).hasSize(7);
    }
}
