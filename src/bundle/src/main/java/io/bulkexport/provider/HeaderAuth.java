package io.bulkexport.provider;

import io.bulkexport.config.Secrets;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * A credential sent as it is in a request header, e.g. {@code apikey: KEY} or {@code Authorization: Bearer TOKEN}.
 */
public class HeaderAuth extends ApiHostAuth {
    private String header;
    private String prefix = "";
    private String credentialEnv;

    @Override
    protected void authorize(HttpRequest request, HttpContext context) {
        String secret = Secrets.get(credentialEnv);
        request.setHeader(header, prefix + (secret != null ? secret : ""));
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
}
