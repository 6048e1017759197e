package io.bulkexport;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

import io.bulkexport.config.Secrets;
import io.bulkexport.config.Settings;
import io.bulkexport.job.JobCatalog;
import io.bulkexport.job.JobDefinition;
import io.bulkexport.metrics.ExportMeters;
import io.bulkexport.records.Compression;
import io.bulkexport.records.DecompressionLimit;
import io.bulkexport.records.RecordBatch;
import io.bulkexport.records.RecordReaders;
import io.bulkexport.records.RecordValidator;
import io.bulkexport.sink.Destination;
import io.bulkexport.sink.FileSink;
import io.bulkexport.sink.Layout;
import io.bulkexport.sink.RecordTransforms;
import io.bulkexport.sink.RecordBatches;
import io.bulkexport.sink.RecordOutput;
import io.bulkexport.sink.S3Check;
import io.bulkexport.sink.S3Clients;
import io.bulkexport.sink.S3Settings;
import io.bulkexport.sink.S3Sink;
import org.apache.camel.CamelContext;
import org.apache.camel.Expression;
import org.apache.camel.Processor;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record path and the sinks (routes/write-records.yaml, routes/s3-sink.yaml, the download pool of
 * routes/download-files.yaml): records read in batches, checked and written to the attempt's own output, which the
 * file sink or the S3 sink seals for landing.
 *
 * @param defaultSink  the sink of jobs that name none ({@code bulkexport.sink})
 * @param destinations where a job's files land now, in words (sink and its settings); a run keeps its first
 */
record SinkBeans(FileSink fileSink, S3Sink s3Sink, S3Settings s3Settings, String defaultSink,
                 Function<JobDefinition, String> destinations, Layout layout) {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport");

    static SinkBeans bind(CamelContext context, Registry registry, Settings settings, BundleResources resources,
                          ExportMeters meters, Object poolSource) {
        RecordReaders recordReaders = new RecordReaders().withDecompressionLimit(new DecompressionLimit(
                settings.whole("bulkexport.decode.max-bytes", 1),
                settings.decimal("bulkexport.decode.max-ratio", 1))).withMeters(meters);
        registry.bind("recordBatches", Expression.class, new RecordBatches(recordReaders));
        // once per batch of records: processors, which Camel calls without looking up a bean method each time
        RecordValidator validator = new RecordValidator();
        registry.bind("validateRecords",
                (Processor) exchange -> validator.validate(exchange.getMessage().getBody(RecordBatch.class)));
        registry.bind("transformRecords", new RecordTransforms());
        RecordOutput recordOutput = new RecordOutput(
                settings.whole("bulkexport.progress.interval-seconds", 1) * 1000);
        registry.bind("recordOutput", recordOutput);
        registry.bind("writeRecords", (Processor) recordOutput::write);

        Path output = Path.of(settings.text("bulkexport.output.dir"));
        Compression outputCompression = Compression.named(
                settings.oneOf("bulkexport.output.compression", "none", "gzip"));
        FileSink fileSink = new FileSink(output, outputCompression,
                settings.flag("bulkexport.output.keep-vendor-gzip"), recordOutput);
        registry.bind("fileSink", fileSink);
        S3Settings s3Settings = S3Settings.read(settings);
        String defaultSink = settings.oneOf("bulkexport.sink", "file", "s3");
        if ("s3".equals(defaultSink)) {
            // jobs write to S3 unless they say otherwise: build the client while Camel loads the routes
            resources.s3Client = new S3Clients.Shared(s3Settings);
            resources.s3Client.buildInBackground();
        }
        S3Sink s3Sink = new S3Sink(s3Settings, () -> {
            if (resources.s3Client == null) {
                throw new IllegalStateException("no S3 client: no job writes to S3");
            }
            return resources.s3Client.get();
        }, recordOutput);
        registry.bind("s3Sink", s3Sink);
        registry.bind("downloadPool", context.getExecutorServiceManager().newFixedThreadPool(poolSource, "download",
                (int) settings.whole("bulkexport.download.parallelism", 1)));

        Path outputRoot = output.toAbsolutePath().normalize();
        Function<JobDefinition, String> destinations = job -> "s3".equals(job.sink()) ? s3Settings.destination()
                : Destination.files(outputRoot, outputCompression).text();
        return new SinkBeans(fileSink, s3Sink, s3Settings, defaultSink, destinations,
                Layout.parse(settings.text("bulkexport.layout")));
    }

    /**
     * Makes the sinks ready for the jobs: S3 checked and its client made when a job writes there; what a stopped
     * process left half-written removed only when {@code alone} (no other instance shares the state database: a live
     * one's files in progress look the same).
     */
    void prepare(BundleResources resources, JobCatalog catalog, boolean alone) {
        List<String> s3Jobs = catalog.all().stream().filter(j -> "s3".equals(j.sink())).map(JobDefinition::name)
                .toList();
        if (!s3Jobs.isEmpty()) {
            useS3(resources, s3Jobs, alone);
        }
        if (alone) {
            fileSink.removeStaleParts(catalog.all().stream().map(JobDefinition::name).toList(), layout);
        }
    }

    /** When jobs write to S3: checks the settings, makes the S3 client, and empties their spool folders if asked. */
    private void useS3(BundleResources resources, List<String> s3Jobs, boolean cleanSpool) {
        String bucket = s3Settings.requireBucket(s3Jobs.get(0));
        // the SDK reads the credentials itself; those it would find in the environment are kept out of the logs
        for (String secret : List.of("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "aws.secretAccessKey",
                "aws.sessionToken")) {
            Secrets.get(secret);
        }
        // built on a thread of its own (in bind, or by the start-up check); the sink asks for it at its first upload
        if (resources.s3Client == null) {
            resources.s3Client = new S3Clients.Shared(s3Settings);
        }
        S3Clients.Shared client = resources.s3Client;
        resources.s3Check = S3Check.start(client, s3Settings);
        if (cleanSpool) {
            s3Sink.cleanSpool(s3Jobs);
        }
        LOG.info("S3 sink for {}: s3://{}/{} at {}, {} objects, spooled under {}", s3Jobs, bucket,
                s3Settings.prefix(), s3Settings.endpointText(),
                s3Settings.compression().suffix().isEmpty() ? "uncompressed" : "gzip", s3Settings.spoolDir());
    }
}
