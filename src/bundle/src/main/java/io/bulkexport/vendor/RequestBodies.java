package io.bulkexport.vendor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulkexport.job.JobDefinition;
import io.bulkexport.provider.ProviderSpec;
import io.bulkexport.run.RunExchange;
import org.apache.camel.Exchange;
import org.apache.hc.client5.http.entity.mime.MultipartEntityBuilder;
import org.apache.hc.core5.http.ContentType;

/**
 * Builds a job's submission from its provider's templates ({@link ProviderSpec#submitBody()},
 * {@link ProviderSpec#submitQuery()}) and the job's values, or uploads the job's file as a multipart form.
 */
public class RequestBodies {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The provider's JSON body template filled with the job's values (and the request id when known). */
    public void json(Exchange exchange) {
        JobDefinition job = exchange.getProperty(RunExchange.JOB, JobDefinition.class);
        ProviderSpec spec = spec(exchange, job);
        JsonNode body = spec.templates().json(spec.submitBody(), values(exchange, job), true);
        exchange.setProperty(RunExchange.CONTENT_TYPE, "application/json");
        try {
            exchange.getMessage().setBody(JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The provider's query string template filled with the job's values, as the call's query ({@link ApiCalls}). */
    public void query(Exchange exchange) {
        JobDefinition job = exchange.getProperty(RunExchange.JOB, JobDefinition.class);
        ProviderSpec spec = spec(exchange, job);
        exchange.setProperty(RunExchange.HTTP_QUERY, spec.templates().query(spec.submitQuery(),
                values(exchange, job)));
    }

    /** A multipart form with the job's request file in part {@code filePart}, plus fixed text fields. */
    public void multipart(Exchange exchange, String filePart, String dataFormat) {
        JobDefinition job = exchange.getProperty(RunExchange.JOB, JobDefinition.class);
        MultipartEntityBuilder form = MultipartEntityBuilder.create()
                .addBinaryBody(filePart, job.requestBody(), ContentType.create("text/csv"),
                        job.request().getFileName().toString());
        if (dataFormat != null && !dataFormat.isBlank()) {
            form.addTextBody("data_format", dataFormat);
        }
        String webhookUrl = exchange.getProperty(RunExchange.WEBHOOK_URL, String.class);
        if (webhookUrl != null) {
            form.addTextBody("webhook_url", webhookUrl);
        }
        // the form carries its content type, with its boundary
        exchange.getMessage().setBody(form.build());
    }

    /** The job's values, with the request id when known, the webhook URL when one is armed, and since. */
    private static Map<String, Object> values(Exchange exchange, JobDefinition job) {
        return job.templateValues(exchange.getProperty(RunExchange.REQUEST_ID, String.class),
                exchange.getProperty(RunExchange.WEBHOOK_URL, String.class),
                exchange.getProperty(RunExchange.SINCE, String.class));
    }

    private static ProviderSpec spec(Exchange exchange, JobDefinition job) {
        return exchange.getContext().getRegistry().lookupByNameAndType(job.provider(), ProviderSpec.class);
    }
}
