package io.bulkexport.provider;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.bulkexport.config.Secrets;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.protocol.HttpContext;

/** HTTP Basic with an API token as the user name and an empty password ({@code curl -u TOKEN:}). */
public class BasicTokenAuth extends ApiHostAuth {
    private String credentialEnv;

    @Override
    protected void authorize(HttpRequest request, HttpContext context) {
        String token = Secrets.get(credentialEnv);
        String user = token != null ? token : "";
        request.setHeader(HttpHeaders.AUTHORIZATION, "Basic "
                + Base64.getEncoder().encodeToString((user + ":").getBytes(StandardCharsets.UTF_8)));
    }

    /** The environment variable holding the token. */
    public void setCredentialEnv(String credentialEnv) {
        this.credentialEnv = credentialEnv;
    }
}
