package io.bulkexport.provider;

import java.net.URI;

import io.bulkexport.config.Secrets;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.net.URIAuthority;

/**
 * Configures the HTTP client of a provider's API: adds the provider's credential as a request header, only on
 * requests to the provider's own API host, and turns off the client's own retries. The credential never passes
 * through a Camel message, so no route, log or error can show it; every retry happens in the routes, where it is
 * throttled and counted (the client would otherwise repeat a 429 or 503, a POST included, on its own).
 * Declared per provider in its routes file and referenced from its HTTP endpoint as {@code httpClientConfigurer}.
 */
public class HeaderAuth implements HttpClientConfigurer {
    private String header;
    private String prefix = "";
    private String credentialEnv;
    private String fallback;
    private String baseUrl;

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        URI api = URI.create(baseUrl);
        String secret = Secrets.get(credentialEnv);
        String value = prefix + (secret != null ? secret : fallback == null ? "" : fallback);
        builder.disableAutomaticRetries();
        builder.addRequestInterceptorFirst((request, entity, context) -> {
            URIAuthority authority = request.getAuthority();
            if (authority != null && authority.getHostName().equalsIgnoreCase(api.getHost())
                    && authority.getPort() == port(api)) {
                request.setHeader(header, value);
            }
        });
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** The header that carries the credential, e.g. {@code apikey} or {@code Authorization}. */
    public void setHeader(String header) {
        this.header = header;
    }

    /** Text before the credential in the header, e.g. {@code "Bearer "}. */
    public void setPrefix(String prefix) {
        this.prefix = prefix == null ? "" : prefix;
    }

    /** The environment variable holding the credential. */
    public void setCredentialEnv(String credentialEnv) {
        this.credentialEnv = credentialEnv;
    }

    /** Used when the variable is unset: only ever a sandbox's dummy key. */
    public void setFallback(String fallback) {
        this.fallback = fallback;
    }

    /** The provider's API base URL; the header goes to this host and port only. */
    public void setBaseUrl(String baseUrl) {
        this.baseUrl = baseUrl;
    }
}
