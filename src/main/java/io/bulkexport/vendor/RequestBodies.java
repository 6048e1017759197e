package io.bulkexport.vendor;

import io.bulkexport.job.JobDefinition;
import org.apache.camel.Exchange;
import org.apache.hc.client5.http.entity.mime.MultipartEntityBuilder;
import org.apache.hc.core5.http.ContentType;

/** Builds a job's submission body: its JSON query, or its file uploaded as a multipart form. */
public class RequestBodies {

    /** The job's JSON request, as prepared when the job file was loaded. */
    public void json(Exchange exchange) {
        JobDefinition job = exchange.getProperty("job", JobDefinition.class);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(job.requestBody());
    }

    /** A multipart form with the job's request file in part {@code filePart}, plus fixed text fields. */
    public void multipart(Exchange exchange, String filePart, String dataFormat) {
        JobDefinition job = exchange.getProperty("job", JobDefinition.class);
        MultipartEntityBuilder form = MultipartEntityBuilder.create()
                .addBinaryBody(filePart, job.requestBody(), ContentType.create("text/csv"),
                        job.request().getFileName().toString());
        if (dataFormat != null && !dataFormat.isBlank()) {
            form.addTextBody("data_format", dataFormat);
        }
        exchange.getMessage().removeHeader(Exchange.CONTENT_TYPE);
        exchange.getMessage().setBody(form.build());
    }
}
