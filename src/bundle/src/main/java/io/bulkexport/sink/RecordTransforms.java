package io.bulkexport.sink;

import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulkexport.RecordTransform;
import io.bulkexport.config.ConfigurationException;
import io.bulkexport.job.JobCatalog;
import io.bulkexport.job.JobDefinition;
import io.bulkexport.records.RecordBatch;
import io.bulkexport.run.RunExchange;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.spi.Registry;

/**
 * The jobs' record transforms ({@code transform:} jq, {@code transform_bean:} a {@link RecordTransform} bean),
 * applied in the record loop to each batch of a job that has one (the {@code transformRecords} step of
 * {@code split-records}); a batch of a job without one passes untouched, as it was read.
 */
public class RecordTransforms implements Processor {
    private final ObjectMapper json = new ObjectMapper();
    private volatile Map<String, RecordTransform> byJob = Map.of();

    /** Compiles each job's transform and finds each bean named, refusing a name the registry lacks. */
    public void use(JobCatalog catalog, Registry registry) {
        Map<String, RecordTransform> found = new HashMap<>();
        for (JobDefinition job : catalog.all()) {
            JobDefinition.Transform transform = job.transform();
            if (transform == null) {
                continue;
            }
            if (transform.jq() != null) {
                found.put(job.name(), transform.jq());
            } else {
                RecordTransform bean = registry.lookupByNameAndType(transform.bean(), RecordTransform.class);
                if (bean == null) {
                    throw new ConfigurationException("job file " + job.file() + ": transform_bean '"
                            + transform.bean() + "' names no " + RecordTransform.class.getName()
                            + " bean in the Camel registry");
                }
                found.put(job.name(), bean);
            }
        }
        byJob = Map.copyOf(found);
    }

    /** The body (a {@link RecordBatch}) becomes the batch the job's transform makes of it, if it has one. */
    @Override
    public void process(Exchange exchange) {
        if (byJob.isEmpty()) {
            return;
        }
        JobDefinition job = exchange.getProperty(RunExchange.JOB, JobDefinition.class);
        RecordTransform transform = job == null ? null : byJob.get(job.name());
        if (transform != null) {
            exchange.getMessage().setBody(exchange.getMessage().getBody(RecordBatch.class).transformed(transform, json));
        }
    }
}
