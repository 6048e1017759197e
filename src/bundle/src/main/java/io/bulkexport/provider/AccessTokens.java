package io.bulkexport.provider;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulkexport.config.Secrets;
import io.bulkexport.vendor.TokenUnavailableException;
import io.bulkexport.vendor.VendorRejectedException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * OAuth 2 access tokens by the client credentials grant, cached until shortly before they expire. The client secret
 * and the tokens stay inside this class: errors quote only the token endpoint's {@code error} and
 * {@code error_description}. Thread-safe: concurrent callers share one token request.
 */
final class AccessTokens {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);

    private final String provider;
    private final URI tokenUrl;
    private final String clientId;
    private final String clientSecret;
    private final String scope;
    private final boolean secretInBody;
    private final Duration refreshBefore;
    private final Clock clock;
    private final CloseableHttpClient client;
    private String token;
    private Instant renewAt = Instant.MIN;

    AccessTokens(String provider, URI tokenUrl, String clientId, String clientSecret, String scope,
                 boolean secretInBody, Duration refreshBefore, Clock clock) {
        this.provider = provider;
        this.tokenUrl = tokenUrl;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.scope = scope;
        this.secretInBody = secretInBody;
        this.refreshBefore = refreshBefore;
        this.clock = clock;
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(10))
                                .setSocketTimeout(Timeout.ofSeconds(30)).build()).build())
                .disableRedirectHandling().disableCookieManagement().disableAuthCaching().disableAutomaticRetries()
                .build();
    }

    /** A token valid for a while yet: the cached one, or a new one. */
    synchronized String current() {
        if (token == null || !clock.instant().isBefore(renewAt)) {
            fetch();
        }
        return token;
    }

    /** The API refused {@code used}: the next {@link #current()} fetches a new token (unless one already came). */
    synchronized void refused(String used) {
        if (used != null && used.equals(token)) {
            token = null;
        }
    }

    private void fetch() {
        List<String> form = new ArrayList<>(List.of("grant_type=client_credentials"));
        if (scope != null && !scope.isBlank()) {
            form.add("scope=" + encode(scope));
        }
        HttpPost post = new HttpPost(tokenUrl);
        if (secretInBody) {
            form.add("client_id=" + encode(clientId));
            form.add("client_secret=" + encode(clientSecret));
        } else { // RFC 6749 2.3.1: each part form-encoded, then HTTP Basic
            post.setHeader(HttpHeaders.AUTHORIZATION, "Basic " + Base64.getEncoder().encodeToString(
                    (encode(clientId) + ":" + encode(clientSecret)).getBytes(StandardCharsets.UTF_8)));
        }
        post.setEntity(new StringEntity(String.join("&", form), ContentType.APPLICATION_FORM_URLENCODED));
        post.setHeader(HttpHeaders.ACCEPT, "application/json");
        String where = "the OAuth token endpoint " + tokenUrl.getScheme() + "://" + tokenUrl.getRawAuthority()
                + tokenUrl.getRawPath();
        JsonNode answer;
        int status;
        try (ClassicHttpResponse response = client.executeOpen(null, post, null)) {
            status = response.getCode();
            try (InputStream in = response.getEntity() == null ? InputStream.nullInputStream()
                    : response.getEntity().getContent()) {
                byte[] body = in.readNBytes(64 * 1024);
                answer = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
            } catch (IOException notJson) {
                answer = JSON.createObjectNode();
            }
        } catch (IOException e) {
            throw new TokenUnavailableException(provider, 0, "cannot reach " + where + ": "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        String accessToken = answer.path("access_token").asText("");
        if (status / 100 != 2 || accessToken.isBlank()) {
            String said = (answer.path("error").asText("") + " " + answer.path("error_description").asText("")).trim();
            String text = where + " answered " + status + (said.isEmpty() ? "" : ": " + said);
            if (status == 429 || status >= 500 || status / 100 == 2) {
                throw new TokenUnavailableException(provider, status, text);
            }
            throw new VendorRejectedException(provider, status, text + " — check the client id and secret");
        }
        long seconds = answer.path("expires_in").asLong(DEFAULT_LIFETIME.toSeconds());
        Duration lifetime = Duration.ofSeconds(Math.max(1, seconds));
        Duration margin = refreshBefore.compareTo(lifetime.dividedBy(2)) < 0 ? refreshBefore : lifetime.dividedBy(2);
        Secrets.remember(accessToken); // redacted from every text the bundle builds, as the client secret is
        token = accessToken;
        renewAt = clock.instant().plus(lifetime).minus(margin);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
