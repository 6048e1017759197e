package io.bulkexport.provider;

import java.io.IOException;
import java.net.URI;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.net.URIAuthority;

/**
 * Adds a provider's credential inside the HTTP client, only on requests to the provider's own API host and port.
 * The credential never passes through a Camel message, so no route, log or error can show it. Subclasses say how
 * the credential is written; a provider's routes file declares one and references it from its HTTP endpoint as
 * {@code httpClientConfigurer}.
 */
public abstract class ApiHostAuth implements HttpClientConfigurer {
    private String baseUrl;
    private URI api;

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        api = URI.create(baseUrl);
        builder.addRequestInterceptorFirst((request, entity, context) -> {
            if (isForApi(request)) {
                authorize(request, context);
            }
        });
        extend(builder);
    }

    /** Sets the credential on a request to the API. */
    protected abstract void authorize(HttpRequest request, HttpContext context) throws IOException;

    /** Adds more to the client, e.g. handling of expired credentials; nothing by default. */
    protected void extend(HttpClientBuilder builder) {
    }

    /** True when the request goes to the API's host and port. */
    protected boolean isForApi(HttpRequest request) {
        URIAuthority authority = request.getAuthority();
        return authority != null && authority.getHostName().equalsIgnoreCase(api.getHost())
                && authority.getPort() == port(api);
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** The provider's API base URL; the credential goes to this host and port only. */
    public void setBaseUrl(String baseUrl) {
        this.baseUrl = baseUrl;
    }
}
