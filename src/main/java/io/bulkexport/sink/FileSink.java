package io.bulkexport.sink;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulkexport.job.JobDefinition;
import io.bulkexport.records.FileResult;
import io.bulkexport.records.RecordBatch;
import io.bulkexport.records.RecordFileWriter;
import io.bulkexport.run.FileLanded;
import io.bulkexport.state.FileStatus;
import io.bulkexport.state.Run;
import io.bulkexport.state.RunFile;
import io.bulkexport.state.StateStore;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lands records on the filesystem: {@code {output}/{job}/{request}/{file}.jsonl}, each file under a temporary name
 * until complete, and a {@code _manifest.json} per request written last. One open, buffered writer per file.
 */
public class FileSink {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.progress");
    private static final String WRITER = "bulkexportWriter";
    private static final String SOURCE = "bulkexportSource";
    private static final String PROGRESS = "bulkexportProgress";
    public static final String MANIFEST = "_manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path outputDir;
    private final StateStore store;
    private final long progressIntervalNanos;

    public FileSink(Path outputDir, StateStore store, long progressIntervalMillis) {
        this.outputDir = outputDir;
        this.store = store;
        this.progressIntervalNanos = progressIntervalMillis * 1_000_000L;
    }

    /** The folder of one request's output. */
    public Path requestDir(String jobName, String requestId) {
        return outputDir.resolve(SafePaths.segment(jobName, "job name"))
                .resolve(SafePaths.segment(requestId, "request id"));
    }

    /**
     * Starts writing the file named by property {@code fileName}; the body is the vendor's response stream.
     * Whatever an earlier attempt at this file left open is discarded first.
     */
    public void open(Exchange exchange) {
        abort(exchange);
        JobDefinition job = exchange.getProperty("job", JobDefinition.class);
        String fileName = exchange.getProperty("fileName", String.class);
        Path root = requestDir(job.name(), exchange.getProperty("requestId", String.class));
        Path target = SafePaths.under(root, SafePaths.outputName(fileName));
        try {
            exchange.setProperty(WRITER, RecordFileWriter.open(target, fileName));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
        exchange.setProperty(SOURCE, exchange.getMessage().getBody());
        exchange.setProperty(PROGRESS, new FileProgress(job.name(), fileName, System.nanoTime()));
    }

    /** Writes a validated batch of records (the body). */
    public void write(Exchange exchange) throws IOException {
        RecordBatch batch = exchange.getMessage().getBody(RecordBatch.class);
        RecordFileWriter writer = exchange.getProperty(WRITER, RecordFileWriter.class);
        writer.write(batch);
        exchange.getProperty(PROGRESS, FileProgress.class).batchWritten(writer, progressIntervalNanos);
    }

    /** Moves the complete file into place; the body becomes what landed. */
    public FileLanded commit(Exchange exchange) throws IOException {
        RecordFileWriter writer = exchange.getProperty(WRITER, RecordFileWriter.class);
        FileResult result = writer.commit();
        exchange.removeProperty(WRITER);
        closeSource(exchange);
        Path root = outputDir.toAbsolutePath().normalize();
        exchange.getProperty(PROGRESS, FileProgress.class).landed(result);
        return new FileLanded(root.relativize(result.path().toAbsolutePath().normalize()).toString(),
                result.records(), result.bytes(), result.quarantined(), result.sha256Hex(),
                result.quarantinePath() == null ? null
                        : root.relativize(result.quarantinePath().toAbsolutePath().normalize()).toString());
    }

    /** Discards a file in progress: nothing of it stays visible. Safe to call when nothing is open. */
    public void abort(Exchange exchange) {
        RecordFileWriter writer = exchange.getProperty(WRITER, RecordFileWriter.class);
        exchange.removeProperty(WRITER);
        if (writer != null) {
            writer.abort();
        }
        closeSource(exchange);
    }

    private static void closeSource(Exchange exchange) {
        Object source = exchange.removeProperty(SOURCE);
        if (source instanceof InputStream in) {
            try {
                in.close();
            } catch (IOException ignored) {
                // the connection is released either way
            }
        }
    }

    /**
     * Writes the request's manifest once every file has landed: files, record counts, quarantined lines and
     * checksums. Written last, under a temporary name then renamed, so its presence means the request is complete.
     */
    public void writeManifest(Exchange exchange) throws IOException {
        String runId = exchange.getProperty("runId", String.class);
        Run run = store.run(runId).orElseThrow();
        List<RunFile> files = store.files(runId);
        if (files.stream().anyMatch(f -> f.status() != FileStatus.DONE)) {
            return;
        }
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("job", run.jobName());
        manifest.put("provider", run.provider());
        manifest.put("request_id", run.requestId());
        manifest.put("run_id", run.runId());
        manifest.put("submitted_at", String.valueOf(run.submittedAt()));
        manifest.put("completed_at", Instant.now().toString());
        manifest.put("records", files.stream().mapToLong(RunFile::records).sum());
        manifest.put("quarantined", files.stream().mapToLong(RunFile::quarantined).sum());
        Path dir = requestDir(run.jobName(), run.requestId());
        ArrayNode list = manifest.putArray("files");
        for (RunFile file : files) {
            ObjectNode entry = list.addObject();
            entry.put("source", file.fileName());
            entry.put("path", dir.toAbsolutePath().normalize()
                    .relativize(outputDir.toAbsolutePath().normalize().resolve(file.outputPath())).toString());
            entry.put("records", file.records());
            entry.put("bytes", file.bytes());
            entry.put("sha256", file.sha256());
            entry.put("quarantined", file.quarantined());
        }
        Files.createDirectories(dir);
        Path temp = dir.resolve("." + MANIFEST + ".part");
        JSON.writeValue(temp.toFile(), manifest);
        try {
            Files.move(temp, dir.resolve(MANIFEST), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, dir.resolve(MANIFEST), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Progress of one file, logged every so often and when it lands. */
    static final class FileProgress {
        private final String job;
        private final String file;
        private final long started;
        private long lastLog;

        FileProgress(String job, String file, long started) {
            this.job = job;
            this.file = file;
            this.started = started;
            this.lastLog = started;
        }

        void batchWritten(RecordFileWriter writer, long intervalNanos) {
            long now = System.nanoTime();
            if (now - lastLog >= intervalNanos) {
                lastLog = now;
                LOG.info("{}: {} — {} records, {} so far ({})", job, file, writer.records(), mb(writer.bytes()),
                        rate(writer.records(), writer.bytes(), now - started));
            }
        }

        void landed(FileResult result) {
            long elapsed = System.nanoTime() - started;
            LOG.info("{}: {} landed — {} records{}, {} in {} s ({})", job, file, result.records(),
                    result.quarantined() == 0 ? "" : ", " + result.quarantined() + " quarantined",
                    mb(result.bytes()), String.format("%.1f", elapsed / 1e9), rate(result.records(), result.bytes(), elapsed));
        }

        private static String mb(long bytes) {
            return String.format("%.1f MB", bytes / 1e6);
        }

        private static String rate(long records, long bytes, long nanos) {
            double seconds = Math.max(nanos, 1) / 1e9;
            return String.format("%.0f records/s, %.1f MB/s", records / seconds, bytes / 1e6 / seconds);
        }
    }
}
