package io.bulkexport.provider;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;

import io.bulkexport.config.Secrets;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * OAuth 2 client credentials: a bearer access token on every API request, fetched from the token URL with the
 * client id and secret from the environment, cached until shortly before it expires. An API answer of 401 drops
 * the token and sends the request once more with a new one before the 401 stands.
 */
public class OAuthClientCredentials extends ApiHostAuth {
    private static final String TOKEN_USED = "bulkexport.oauth.token";

    private String provider;
    private String tokenUrl;
    private String clientIdEnv;
    private String clientSecretEnv;
    private String scope;
    private boolean secretInBody;
    private long refreshBeforeSeconds = 60;
    private AccessTokens tokens;

    @Override
    protected void authorize(HttpRequest request, HttpContext context) {
        Object token = context.getAttribute(TOKEN_USED);
        String bearer = token != null ? token.toString() : tokens().current();
        context.setAttribute(TOKEN_USED, bearer);
        request.setHeader(HttpHeaders.AUTHORIZATION, "Bearer " + bearer);
    }

    @Override
    protected void extend(HttpClientBuilder builder) {
        builder.addExecInterceptorFirst("oauth-refresh-once", (request, scope, chain) -> {
            scope.clientContext.removeAttribute(TOKEN_USED);
            ClassicHttpResponse response = chain.proceed(request, scope);
            boolean repeatable = request.getEntity() == null || request.getEntity().isRepeatable();
            if (response.getCode() != 401 || !isForApi(request) || !repeatable) {
                return response;
            }
            EntityUtils.consume(response.getEntity());
            response.close();
            tokens().refused((String) scope.clientContext.removeAttribute(TOKEN_USED));
            // the protocol step adds these again, and refuses a request that has them already
            request.removeHeaders(HttpHeaders.CONTENT_LENGTH);
            request.removeHeaders(HttpHeaders.TRANSFER_ENCODING);
            return chain.proceed(request, scope);
        });
    }

    private synchronized AccessTokens tokens() {
        if (tokens == null) {
            tokens = new AccessTokens(provider, URI.create(tokenUrl), secret(clientIdEnv),
                    secret(clientSecretEnv), scope, secretInBody,
                    Duration.ofSeconds(refreshBeforeSeconds), Clock.systemUTC());
        }
        return tokens;
    }

    private static String secret(String env) {
        String value = Secrets.get(env);
        return value != null ? value : "";
    }

    /** The provider's name, for errors. */
    public void setProvider(String provider) {
        this.provider = provider;
    }

    /** Where access tokens come from (the client credentials grant). */
    public void setTokenUrl(String tokenUrl) {
        this.tokenUrl = tokenUrl;
    }

    /** The environment variable holding the client id. */
    public void setClientIdEnv(String clientIdEnv) {
        this.clientIdEnv = clientIdEnv;
    }

    /** The environment variable holding the client secret. */
    public void setClientSecretEnv(String clientSecretEnv) {
        this.clientSecretEnv = clientSecretEnv;
    }

    /** The scope asked for, if the API wants one. */
    public void setScope(String scope) {
        this.scope = scope;
    }

    /** {@code body}: the client id and secret go in the form; {@code basic} (default): in HTTP Basic. */
    public void setClientAuthentication(String how) {
        if (!how.equals("body") && !how.equals("basic")) {
            throw new IllegalArgumentException("clientAuthentication must be basic or body, not '" + how + "'");
        }
        this.secretInBody = how.equals("body");
    }

    /** How long before its expiry a cached token is replaced (default 60 s). */
    public void setRefreshBeforeSeconds(long seconds) {
        this.refreshBeforeSeconds = seconds;
    }
}
