package io.bulkexport.sink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.bulkexport.job.JobDefinition;
import io.bulkexport.records.FileResult;
import io.bulkexport.records.RecordFileWriter;
import io.bulkexport.run.RunExchange;
import io.bulkexport.state.FileLanded;
import io.bulkexport.state.Run;
import io.bulkexport.state.RunFile;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Lands records in an S3 bucket, one object per vendor file under a deterministic key
 * {@code {prefix}/{the run's folder}/{file}.jsonl[.gz]} (the folder per {@code bulkexport.layout}, fixed per run), so a
 * file done again replaces its object. Records are spooled
 * to a local file of the attempt's own (gzip by default), whose parts are then uploaded through the AWS SDK
 * ({@link S3Uploads}); the object appears when the pipeline completes the upload, under the fence of the file's claim,
 * and the spool file is deleted. The request's {@code _manifest.json} object is written last.
 */
public class S3Sink {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.s3");
    private static final String SPOOL_DIR = "bulkexportS3SpoolDir";

    private final S3Settings settings;
    private final RecordOutput output;
    private final S3Uploads uploads;

    public S3Sink(S3Settings settings, Supplier<S3Client> client, RecordOutput output) {
        this.settings = settings;
        this.output = output;
        this.uploads = new S3Uploads(client, settings);
    }

    /**
     * Starts spooling the file named by property {@code fileName}; the body is the vendor's response stream.
     * Whatever an earlier attempt at this file left is discarded first. The spool file is in a folder of this
     * attempt's own: two attempts at one file (two instances sharing a spool folder) never share a spool file.
     */
    public void open(Exchange exchange) {
        String job = exchange.getProperty(RunExchange.JOB, JobDefinition.class).name();
        String requestId = exchange.getProperty(RunExchange.REQUEST_ID, String.class);
        String name = RunExchange.of(exchange).outputName() + settings.compression().suffix();
        Path spool = settings.spoolDir().resolve(SafePaths.segment(job, "job name"))
                .resolve(SafePaths.segment(requestId, "request id")).resolve(UUID.randomUUID().toString());
        // not forced to disk: a spool file only lives until it is uploaded, and a crash leaves none (see cleanSpool)
        output.open(exchange, SafePaths.under(spool, name), "bulkexport.s3.spool-dir", settings.compression(),
                settings.keepVendorGzip(), false);
        exchange.setProperty(SPOOL_DIR, spool);
        exchange.setProperty("s3Key", settings.key(exchange.getProperty(RunExchange.FOLDER, String.class), name));
    }

    /**
     * The spool file is complete: its parts (and its quarantined lines') are uploaded, and the body becomes the
     * {@link StagedFile} whose publish completes the uploads, quarantined lines first, so that the records object
     * appearing means everything of the file is in place.
     */
    public StagedFile stage(Exchange exchange) throws IOException {
        FileResult result = output.commit(exchange);
        output.spooled(exchange, result);
        String key = exchange.getProperty("s3Key", String.class);
        String quarantineKey = result.quarantinePath() == null ? null : RecordFileWriter.quarantineNameFor(key);
        S3Uploads.Staged quarantine = null;
        S3Uploads.Staged records;
        try {
            if (quarantineKey != null) {
                quarantine = uploads.stage(quarantineKey, result.quarantinePath(), contentType(quarantineKey));
            }
            records = uploads.stage(key, result.path(), contentType(key));
        } catch (RuntimeException e) {
            if (quarantine != null) {
                quarantine.abort();
            }
            discardSpool(exchange);
            throw e;
        }
        FileLanded landed = new FileLanded(key, result.records(), result.bytes(), result.quarantined(),
                result.sha256Hex(), quarantineKey);
        S3Uploads.Staged stagedQuarantine = quarantine;
        return new StagedFile() {
            @Override
            public FileLanded landed() {
                return landed;
            }

            @Override
            public void publish() {
                if (stagedQuarantine != null) {
                    stagedQuarantine.complete();
                }
                records.complete();
            }

            @Override
            public void published() {
                output.landed(exchange, result, " in s3://" + settings.bucket().orElse("") + "/" + key);
                deleteSpoolDir(exchange);
            }

            @Override
            public void discard() {
                if (stagedQuarantine != null) {
                    stagedQuarantine.abort();
                }
                records.abort();
                discardSpool(exchange);
            }
        };
    }

    /** Writes the manifest object of a run whose files have all landed (see {@link Manifest}), with their keys. */
    public void writeManifest(Run run, List<RunFile> files) {
        byte[] json = new Manifest(run, files).toJson("key", RunFile::outputPath);
        uploads.put(settings.key(run.folder(), Manifest.NAME), json, "application/json");
    }

    private void discardSpool(Exchange exchange) {
        output.abort(exchange);
        deleteSpoolDir(exchange);
    }

    private static void deleteSpoolDir(Exchange exchange) {
        Path dir = (Path) exchange.removeProperty(SPOOL_DIR);
        try {
            if (dir != null) {
                Files.deleteIfExists(dir); // empty once its files are gone; else cleaned at the next start
            }
        } catch (IOException ignored) {
            // the spool is cleaned at the next start
        }
    }

    /** The media type of an object, from its key: gzip, JSON Lines or JSON, so readers and consoles know it. */
    public static String contentType(String key) {
        if (key.endsWith(".gz")) {
            return "application/gzip";
        }
        return key.endsWith(".jsonl") ? "application/x-ndjson" : "application/json";
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
