package io.bulkexport.vendor;

import io.bulkexport.run.RunExchange;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The first step of every provider's API route (routes/provider-api.yaml): turns the call its caller declared in
 * exchange properties ({@link RunExchange#HTTP_METHOD}, {@link RunExchange#HTTP_PATH}, {@link RunExchange#HTTP_QUERY},
 * {@link RunExchange#CONTENT_TYPE}) into the request. Every header the exchange carries is dropped first, so nothing a
 * route, a bean or an earlier answer left behind becomes an HTTP header; the properties are consumed, so a second call
 * on the same exchange starts from what its own route declares.
 */
public class ApiCalls {
    /** Makes the declared call the message: method (GET when not declared), path, query and content type. */
    public void prepare(Exchange exchange) {
        String method = take(exchange, RunExchange.HTTP_METHOD);
        String path = take(exchange, RunExchange.HTTP_PATH);
        String query = take(exchange, RunExchange.HTTP_QUERY);
        String contentType = take(exchange, RunExchange.CONTENT_TYPE);
        if (path == null || !path.startsWith("/")) {
            throw new IllegalStateException("a provider route called its API route without a request path: set exchange"
                    + " property " + RunExchange.HTTP_PATH + " to '/…' before the call");
        }
        Message message = exchange.getMessage();
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

    private static String take(Exchange exchange, String name) {
        return (String) exchange.removeProperty(name);
    }
}
