package io.bulkexport.vendor;

import java.util.concurrent.atomic.AtomicBoolean;

import io.bulkexport.run.RunExchange;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first step of every provider's API route (routes/provider-api.yaml): turns the call its caller declared in
 * exchange properties ({@link RunExchange#HTTP_METHOD}, {@link RunExchange#HTTP_PATH}, {@link RunExchange#HTTP_QUERY},
 * {@link RunExchange#CONTENT_TYPE}) into the request. Every header the exchange carries is dropped first, so nothing a
 * route, a bean or an earlier answer left behind becomes an HTTP header; the properties are consumed, so a second call
 * on the same exchange starts from what its own route declares. A route edited before calls were declared this way
 * (it sets header {@code CamelHttpPath}) is still sent as its headers say, with one warning.
 */
public class ApiCalls {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport");

    private final AtomicBoolean toldOfHeaders = new AtomicBoolean();

    /** Makes the declared call the message: method (GET when not declared), path, query and content type. */
    public void prepare(Exchange exchange) {
        Message message = exchange.getMessage();
        // a provider route edited before calls were declared in properties sets the path as header CamelHttpPath
        // (after dropping every header itself): its headers still say the call
        boolean headers = exchange.getProperty(RunExchange.HTTP_PATH) == null
                && message.getHeader(Exchange.HTTP_PATH) != null;
        String method = declared(exchange, RunExchange.HTTP_METHOD, headers ? Exchange.HTTP_METHOD : null);
        String path = declared(exchange, RunExchange.HTTP_PATH, headers ? Exchange.HTTP_PATH : null);
        String query = declared(exchange, RunExchange.HTTP_QUERY, headers ? Exchange.HTTP_QUERY : null);
        String contentType = declared(exchange, RunExchange.CONTENT_TYPE, headers ? Exchange.CONTENT_TYPE : null);
        if (path == null || !path.startsWith("/")) {
            throw new IllegalStateException("a provider route called its API route without a request path: set exchange"
                    + " property " + RunExchange.HTTP_PATH + " to '/…' before the call");
        }
        if (headers && toldOfHeaders.compareAndSet(false, true)) {
            LOG.warn("a provider route in bulkexport.routes.dir sets its call as headers (CamelHttpPath, CamelHttpMethod):"
                    + " still sent as it says, but set exchange properties httpPath and httpMethod instead, as the"
                    + " packaged provider routes do (docs/providers.md)");
        }
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_METHOD, method == null ? "GET" : method);
        message.setHeader(Exchange.HTTP_PATH, path);
        if (query != null) {
            message.setHeader(Exchange.HTTP_QUERY, query);
        }
        if (contentType != null) {
            message.setHeader(Exchange.CONTENT_TYPE, contentType);
        }
        if (method == null || "GET".equals(method)) {
            message.setBody(null);
        }
    }

    /** The call's value in {@code property} (consumed), else in {@code header} when headers say the call. */
    private static String declared(Exchange exchange, String property, String header) {
        String value = (String) exchange.removeProperty(property);
        return value != null || header == null ? value : exchange.getMessage().getHeader(header, String.class);
    }
}
