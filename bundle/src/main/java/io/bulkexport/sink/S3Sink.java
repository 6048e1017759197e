package io.bulkexport.sink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import io.bulkexport.job.JobDefinition;
import io.bulkexport.records.FileResult;
import io.bulkexport.records.RecordFileWriter;
import io.bulkexport.run.FileLanded;
import io.bulkexport.state.Run;
import io.bulkexport.state.StateStore;
import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lands records in an S3 bucket, one object per vendor file under a deterministic key
 * {@code {prefix}/{job}/{request}/{file}.jsonl[.gz]}, so a file done again replaces its object. Records are spooled
 * to a local file (gzip by default) that the route then uploads with camel-aws2-s3 and this sink deletes; the
 * request's {@code _manifest.json} object is written last. Exchange properties tell the route what to upload:
 * {@code s3Key}/{@code s3File}, and {@code s3QuarantineKey}/{@code s3QuarantineFile} when lines were quarantined.
 */
public class S3Sink {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.s3");
    private static final String RESULT = "bulkexportS3Result";

    private final S3Settings settings;
    private final StateStore store;
    private final RecordOutput output;

    public S3Sink(S3Settings settings, StateStore store, RecordOutput output) {
        this.settings = settings;
        this.store = store;
        this.output = output;
    }

    /**
     * Starts spooling the file named by property {@code fileName}; the body is the vendor's response stream.
     * Whatever an earlier attempt at this file left is discarded first.
     */
    public void open(Exchange exchange) {
        String job = exchange.getProperty("job", JobDefinition.class).name();
        String requestId = exchange.getProperty("requestId", String.class);
        String name = SafePaths.outputName(exchange.getProperty("fileName", String.class))
                + settings.compression().suffix();
        Path spool = settings.spoolDir().resolve(SafePaths.segment(job, "job name"))
                .resolve(SafePaths.segment(requestId, "request id"));
        // not forced to disk: a spool file only lives until it is uploaded, and a crash leaves none (see cleanSpool)
        output.open(exchange, SafePaths.under(spool, name), settings.compression(), settings.keepVendorGzip(), false);
        exchange.setProperty("s3Key", settings.key(job, requestId, name));
    }

    /** The spool file is complete: sets the properties that name what to upload, and under which keys. */
    public void spooled(Exchange exchange) throws IOException {
        FileResult result = output.commit(exchange);
        output.spooled(exchange, result);
        exchange.setProperty(RESULT, result);
        exchange.setProperty("s3File", result.path().toFile());
        if (result.quarantinePath() != null) {
            String key = exchange.getProperty("s3Key", String.class);
            exchange.setProperty("s3QuarantineKey", RecordFileWriter.quarantineNameFor(key));
            exchange.setProperty("s3QuarantineFile", result.quarantinePath().toFile());
        }
    }

    /** Every object of the file is in the bucket: the spool is deleted and the body becomes what landed. */
    public FileLanded landed(Exchange exchange) {
        FileResult result = exchange.getProperty(RESULT, FileResult.class);
        String key = exchange.getProperty("s3Key", String.class);
        output.landed(exchange, result, " in s3://" + settings.bucket().orElse("") + "/" + key);
        return new FileLanded(key, result.records(), result.bytes(), result.quarantined(), result.sha256Hex(),
                exchange.getProperty("s3QuarantineKey", String.class));
    }

    /**
     * The request's manifest (see {@link Manifest}) with each file's object key, once every file has landed: the
     * body becomes its JSON and header {@code CamelAwsS3Key} its key. The body is null while any file has not.
     */
    public void manifest(Exchange exchange) {
        Optional<Manifest> complete = Manifest.ofCompleteRun(store, exchange.getProperty("runId", String.class));
        exchange.getMessage().setBody(null);
        complete.ifPresent(manifest -> {
            Run run = manifest.run();
            byte[] json = manifest.toJson("key", file -> file.outputPath());
            exchange.getMessage().setHeader(AWS2S3Constants.KEY, settings.key(run.jobName(), run.requestId(),
                    Manifest.NAME));
            exchange.getMessage().setHeader(AWS2S3Constants.CONTENT_LENGTH, (long) json.length);
            exchange.getMessage().setHeader(AWS2S3Constants.CONTENT_TYPE, "application/json");
            exchange.getMessage().setBody(json);
        });
    }

    /** The media type of an object, from its key: gzip, JSON Lines or JSON, so readers and consoles know it. */
    public static String contentType(String key) {
        if (key.endsWith(".gz")) {
            return "application/gzip";
        }
        return key.endsWith(".jsonl") ? "application/x-ndjson" : "application/json";
    }

    /** Turns the failure of an S3 call (property {@code CamelExceptionCaught}) into one line, and throws that. */
    public void failed(Exchange exchange) {
        throw S3Failures.explain(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class), settings);
    }

    /**
     * Deletes what earlier processes left in the spool folders of these jobs. Call it at start-up, before any
     * file of theirs is spooled.
     */
    public void cleanSpool(Collection<String> jobNames) {
        for (String job : jobNames) {
            Path dir = settings.spoolDir().resolve(SafePaths.segment(job, "job name"));
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                List<Path> stale = walk.sorted(Comparator.reverseOrder()).toList();
                long files = stale.stream().filter(Files::isRegularFile).count();
                for (Path path : stale) {
                    Files.deleteIfExists(path);
                }
                if (files > 0) {
                    LOG.info("{}: removed {} stale spool file(s) under {}", job, files, dir);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot clean the spool folder " + dir + ": " + e.getMessage(), e);
            }
        }
    }

}
