package io.bulkexport.presigned;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.bulkexport.vendor.FileExpiredException;
import io.bulkexport.vendor.Redaction;
import io.bulkexport.vendor.RetryableVendorException;
import io.bulkexport.vendor.VendorRejectedException;
import io.bulkexport.run.RunExchange;
import org.apache.camel.Exchange;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.util.Timeout;

/**
 * Fetches a file from its presigned URL (held by {@link PresignedLinks}) with an HTTP client of its own that
 * carries no credentials at all: a presigned URL is signed already, and a storage service refuses a request that
 * carries an {@code Authorization} header as well. The URL stays inside this class; errors name the file only.
 */
public class PresignedFiles implements AutoCloseable {
    private static final int ERROR_BODY_LIMIT = 16 * 1024;
    private static final Pattern XML_CODE = Pattern.compile("<Code>([^<]{1,100})</Code>");
    private static final Pattern XML_MESSAGE = Pattern.compile("<Message>([^<]{1,300})</Message>");

    private final PresignedLinks links;
    private final Clock clock;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private CloseableHttpClient client; // made at the first download: its TLS set-up costs start-up time otherwise

    public PresignedFiles(PresignedLinks links, Clock clock, Duration connectTimeout, Duration readTimeout) {
        this.links = links;
        this.clock = clock;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    private synchronized CloseableHttpClient client() {
        if (client == null) {
            client = newClient();
        }
        return client;
    }

    private CloseableHttpClient newClient() {
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(connectTimeout))
                                .setSocketTimeout(Timeout.of(readTimeout)).build())
                        .setMaxConnTotal(64).setMaxConnPerRoute(16).build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(readTimeout)).build())
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .disableAutomaticRetries()
                .build();
    }

    /**
     * Opens the file of the exchange (properties provider, requestId, fileName): the body becomes its stream.
     *
     * @throws FileExpiredException when the vendor no longer serves the file (nothing is sent)
     * @throws LinkRefusedException on 403: the URL has expired or its signature is refused; list the files again
     */
    public void open(Exchange exchange) throws IOException {
        String provider = exchange.getProperty(RunExchange.PROVIDER, String.class);
        String requestId = exchange.getProperty(RunExchange.REQUEST_ID, String.class);
        String fileName = exchange.getProperty(RunExchange.FILE_NAME, String.class);
        PresignedLinks.Link link = links.link(provider, requestId, fileName);
        if (link == null) {
            throw new VendorRejectedException(provider, 404, "file " + fileName + " is not in the vendor's listing of"
                    + " request " + requestId + " any more");
        }
        if (link.fileExpiresAt() != null && !clock.instant().isBefore(link.fileExpiresAt())) {
            throw new FileExpiredException(provider, "file " + fileName + " expired at the vendor on "
                    + link.fileExpiresAt() + " and can no longer be downloaded");
        }
        if (link.refusal() != null) {
            throw new VendorRejectedException(provider, 0, "file " + fileName + " is not downloaded: " + link.refusal());
        }
        HttpGet get = new HttpGet(link.url());
        ClassicHttpResponse response;
        try {
            response = client().executeOpen(null, get, null);
        } catch (IOException e) {
            IOException redacted = new IOException("downloading " + fileName + ": "
                    + Redaction.withoutQueries(String.valueOf(e.getMessage())));
            redacted.setStackTrace(e.getStackTrace());
            throw redacted;
        }
        int status = response.getCode();
        if (status >= 200 && status < 300 && response.getEntity() != null) {
            exchange.getMessage().setBody(new ResponseStream(get, response));
            return;
        }
        String said = storageWords(response);
        String text = "presigned download of " + fileName + " answered " + status + (said.isEmpty() ? "" : ": " + said);
        if (status >= 300 && status < 400) {
            text += " (a redirect: download URLs are followed as they are listed, never redirected elsewhere)";
        }
        if (status == 403) {
            throw new LinkRefusedException(provider, text);
        }
        if (status == 429 || status >= 500) {
            throw new RetryableVendorException(provider, status, text, null);
        }
        throw new VendorRejectedException(provider, status, text);
    }

    /** The storage service's error code and message (S3 answers XML); nothing else of the body is repeated. */
    private static String storageWords(ClassicHttpResponse response) throws IOException {
        try (response) {
            if (response.getEntity() == null) {
                return "";
            }
            String body;
            try (InputStream in = response.getEntity().getContent()) {
                body = new String(in.readNBytes(ERROR_BODY_LIMIT), StandardCharsets.UTF_8);
            }
            Matcher code = XML_CODE.matcher(body);
            Matcher message = XML_MESSAGE.matcher(body);
            String words = (code.find() ? code.group(1) : "") + (message.find() ? " (" + message.group(1) + ")" : "");
            return io.bulkexport.vendor.VendorText.oneLine(Redaction.withoutQueries(words.trim()));
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (client != null) {
            client.close();
        }
    }

    /** The response body; closing it before its end drops the connection instead of reading the rest. */
    private static final class ResponseStream extends FilterInputStream {
        private final HttpGet request;
        private final ClassicHttpResponse response;
        private boolean ended;

        ResponseStream(HttpGet request, ClassicHttpResponse response) throws IOException {
            super(response.getEntity().getContent());
            this.request = request;
            this.response = response;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            ended |= b < 0;
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            ended |= n < 0;
            return n;
        }

        @Override
        public void close() throws IOException {
            if (!ended) {
                request.cancel();
            }
            try {
                super.close();
            } catch (IOException afterCancel) {
                // the connection is gone, as wanted
            } finally {
                response.close();
            }
        }
    }
}
