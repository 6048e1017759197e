package io.bulkexport.vendor;

import java.util.List;

import io.bulkexport.job.JobDefinition;
import io.bulkexport.provider.CallTarget;
import io.bulkexport.provider.ProviderSpec;
import io.bulkexport.provider.RequestTemplate;
import io.bulkexport.run.RunExchange;
import org.apache.camel.Exchange;

/**
 * Calls a job declares itself, as option {@code "METHOD /path/${variable.requestId}"}: for APIs that do not document their
 * creation or download call ({@code create}, {@code download}).
 */
public class JobCalls {
    /** Declares the call the job's option names: its HTTP method and path (see {@link ApiCalls}). */
    public void target(Exchange exchange, String option) {
        CallTarget target = target(exchange.getProperty(RunExchange.JOB, JobDefinition.class), option);
        exchange.setProperty(RunExchange.HTTP_METHOD, target.method());
        exchange.setProperty(RunExchange.HTTP_PATH, target.path(templates(exchange), values(exchange)));
    }

    /** The one file the option's call serves, named after the last segment of its path. */
    public List<String> fileNames(Exchange exchange, String option) {
        return List.of(target(exchange.getProperty(RunExchange.JOB, JobDefinition.class), option).fileName(templates(exchange),
                values(exchange)));
    }

    private static CallTarget target(JobDefinition job, String option) {
        String value = job.option(option);
        if (value == null) {
            throw new IllegalStateException("job " + job.name() + " has no option " + option);
        }
        return CallTarget.parse(option, value);
    }

    private static RequestTemplate templates(Exchange exchange) {
        String provider = exchange.getProperty(RunExchange.JOB, JobDefinition.class).provider();
        return exchange.getContext().getRegistry().lookupByNameAndType(provider, ProviderSpec.class).templates();
    }

    private static java.util.Map<String, Object> values(Exchange exchange) {
        return exchange.getProperty(RunExchange.JOB, JobDefinition.class)
                .templateValues(exchange.getProperty(RunExchange.REQUEST_ID, String.class));
    }
}
