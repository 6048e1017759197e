package io.bulkexport.run;

import java.time.Instant;

import io.bulkexport.job.JobDefinition;
import io.bulkexport.state.Run;
import org.apache.camel.Exchange;

/**
 * The run an exchange works on, as the routes and the life cycle's beans hand it along: the names of its exchange
 * properties, which the route files use as they are ({@code ${exchangeProperty.runId}}), and a typed view of them
 * for Java. {@code RoutePropertiesTest} checks that every property a route file reads or sets is named here.
 */
public final class RunExchange {
    // the job, set once per exchange from its definition
    public static final String JOB = "job";
    public static final String JOB_NAME = "jobName";
    public static final String PROVIDER = "provider";
    public static final String DATASET = "dataset";
    public static final String METHOD = "method";
    public static final String SINK = "sink";
    // the run
    public static final String RUN_ID = "runId";
    public static final String REQUEST_ID = "requestId";
    public static final String SUBMITTED_AT = "submittedAt";
    /** What the route does next: an {@link Action}. */
    public static final String ACTION = "action";
    /** Why start-job was called: {@code startup} or {@code schedule}. */
    public static final String TRIGGER = "trigger";
    /** When a recurring job's firing was scheduled (Quartz's scheduledFireTime). */
    public static final String SCHEDULED_AT = "scheduledFireTime";
    // a call to the vendor
    /** The route that takes a permit of the provider's rate limit. */
    public static final String RATE_ROUTE = "rateRoute";
    /** The rate route whose permit the exchange holds already (the submission's call does not wait again). */
    public static final String RATE_PERMIT = "ratePermit";
    /** Which call this is (submit, status, list, fetch…), for the metrics of its answers and retries. */
    public static final String VENDOR_CALL = "vendorCall";
    /** The call a provider route makes, as it declares it for its API route ({@link io.bulkexport.vendor.ApiCalls}). */
    public static final String HTTP_METHOD = "httpMethod";
    /** The request path from the API's base URL, each vendor-given part percent-encoded. */
    public static final String HTTP_PATH = "httpPath";
    public static final String HTTP_QUERY = "httpQuery";
    /** The body's media type, when the body is not a multipart form (which carries its own). */
    public static final String CONTENT_TYPE = "contentType";
    /** The HTTP statuses the call expects (others are failures). */
    public static final String EXPECTED_STATUSES = "expectedStatuses";
    /** The callback URL a submission carries when webhooks are on. */
    public static final String WEBHOOK_URL = "webhookUrl";
    /** An incremental job's {@code ${variable.since}} for this submission (absent before its first DONE run). */
    public static final String SINCE = "since";
    /** The folder the run's files land in under the sink's root ({@code bulkexport.layout}), fixed per run. */
    public static final String FOLDER = "folder";
    /** A provider route's parsed answer. */
    public static final String ANSWER = "answer";
    // a status check's outcome, set by the provider's status route
    /** PENDING, READY (body: the file names), FAILED or CANCELLED. */
    public static final String VENDOR_STATUS = "vendorStatus";
    public static final String VENDOR_MESSAGE = "vendorMessage";
    /** The vendor's estimate of when the request is ready (an {@link Instant}), if it gave one. */
    public static final String NOT_BEFORE = "notBefore";
    // a file
    public static final String FILE_NAME = "fileName";
    /** The file's name as it goes into a URL path, each segment percent-encoded. */
    public static final String FILE_NAME_IN_URL = "fileNameInUrl";
    /**
     * Where the file lands, relative to the run's folder, unique among the run's files
     * ({@link io.bulkexport.sink.SafePaths#outputNames}).
     */
    public static final String OUTPUT_NAME = "outputName";
    /** The output name of each of the run's files, by the vendor's name, worked out when a pass over them begins. */
    public static final String OUTPUT_NAMES = "outputNames";
    /** The attempt's claim of the file ({@link io.bulkexport.state.FileClaim}). */
    public static final String FILE_CLAIM = "fileClaim";
    /** The file's record format (json, csv) and compression as the provider names them. */
    public static final String FORMAT = "format";
    public static final String ENCODING = "encoding";

    /** What start-job and poll-status do next, as the beans decide it. */
    public enum Action {
        /** a new run is due: take a rate permit, store the run, send the submission */
        SUBMIT,
        /** the run's files are to be fetched: queue it for download */
        DOWNLOAD,
        /** nothing */
        NONE
    }

    private final Exchange exchange;

    private RunExchange(Exchange exchange) {
        this.exchange = exchange;
    }

    public static RunExchange of(Exchange exchange) {
        return new RunExchange(exchange);
    }

    /** Sets the job's properties. */
    public RunExchange job(JobDefinition job) {
        exchange.setProperty(JOB, job);
        exchange.setProperty(JOB_NAME, job.name());
        exchange.setProperty(PROVIDER, job.provider());
        exchange.setProperty(DATASET, job.dataset());
        exchange.setProperty(METHOD, job.method());
        exchange.setProperty(SINK, job.sink());
        return this;
    }

    /** Sets the run's properties. */
    public RunExchange run(Run run) {
        exchange.setProperty(RUN_ID, run.runId());
        exchange.setProperty(REQUEST_ID, run.requestId());
        exchange.setProperty(SUBMITTED_AT, run.submittedAt());
        return this;
    }

    public JobDefinition job() {
        return exchange.getProperty(JOB, JobDefinition.class);
    }

    public String jobName() {
        return exchange.getProperty(JOB_NAME, String.class);
    }

    public String provider() {
        return exchange.getProperty(PROVIDER, String.class);
    }

    public String runId() {
        return exchange.getProperty(RUN_ID, String.class);
    }

    public String requestId() {
        return exchange.getProperty(REQUEST_ID, String.class);
    }

    public RunExchange requestId(String requestId) {
        exchange.setProperty(REQUEST_ID, requestId);
        return this;
    }

    public Instant submittedAt() {
        return exchange.getProperty(SUBMITTED_AT, Instant.class);
    }

    public String fileName() {
        return exchange.getProperty(FILE_NAME, String.class);
    }

    /** Where the file lands under the run's folder, as the download's pass over the run named it. */
    public String outputName() {
        String name = exchange.getProperty(OUTPUT_NAME, String.class);
        if (name == null) {
            throw new IllegalStateException("file " + fileName() + " has no output name: exchange property "
                    + OUTPUT_NAME + " is set by downloads.fileAttempt");
        }
        return name;
    }

    public String vendorMessage() {
        return exchange.getProperty(VENDOR_MESSAGE, String.class);
    }

    public RunExchange action(Action action) {
        exchange.setProperty(ACTION, action);
        return this;
    }

    /** The failure an error handler caught, if any. */
    public Throwable failure() {
        return exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }

    public Exchange exchange() {
        return exchange;
    }
}
