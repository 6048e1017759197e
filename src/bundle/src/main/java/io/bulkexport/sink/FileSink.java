package io.bulkexport.sink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

import io.bulkexport.records.Compression;
import io.bulkexport.records.FileResult;
import io.bulkexport.records.RecordFileWriter;
import io.bulkexport.run.RunExchange;
import io.bulkexport.state.FileLanded;
import io.bulkexport.state.Run;
import io.bulkexport.state.RunFile;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lands records on the filesystem: {@code {output}/{job}/{request}/{file}.jsonl} (or {@code .jsonl.gz}), each file
 * under a temporary name until complete, and a {@code _manifest.json} per request written last. One open, buffered
 * writer per file.
 */
public class FileSink {
    public static final String MANIFEST = Manifest.NAME;
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.sink");

    private final Path outputDir;
    private final Compression compression;
    private final boolean keepVendorGzip;
    private final RecordOutput output;

    /**
     * @param compression    how files are stored: plain {@code .jsonl}, or {@code .jsonl.gz}
     * @param keepVendorGzip with gzip: store a vendor's gzip JSON Lines file as it came when every line is kept as
     *                       read (see {@link RecordFileWriter#keepSource}), instead of compressing the records here
     */
    public FileSink(Path outputDir, Compression compression, boolean keepVendorGzip, RecordOutput output) {
        this.outputDir = outputDir;
        this.compression = compression;
        this.keepVendorGzip = keepVendorGzip;
        this.output = output;
    }

    /**
     * Deletes the temporary files ({@code .*.part}) a killed process left in these jobs' folders. Called at start-up,
     * before any of them is written: a file redone replaces its own leftover anyway, but one whose run then ends
     * without redoing it (refused, expired) would keep it for good.
     */
    public void removeStaleParts(Collection<String> jobNames, Layout layout) {
        // each job's folder when the layout starts with the job, else the layout's fixed folders (all runs are there)
        Collection<String> roots = layout.startsWithJob() ? jobNames : List.of(layout.fixedPrefix());
        for (String job : roots) {
            Path dir = job.isEmpty() ? outputDir : outputDir.resolve(job);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try {
                int removed = RecordFileWriter.deleteStaleTemps(dir);
                if (removed > 0) {
                    LOG.info("{}: removed {} unfinished output file(s) left under {}", job, removed, dir);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot clean the output folder " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Starts writing the file named by property {@code fileName}; the body is the vendor's response stream.
     * Whatever an earlier attempt at this file left open is discarded first.
     */
    public void open(Exchange exchange) {
        Path root = outputDir.resolve(exchange.getProperty(RunExchange.FOLDER, String.class));
        output.open(exchange, SafePaths.under(root, RunExchange.of(exchange).outputName() + compression.suffix()),
                "bulkexport.output.dir", compression, keepVendorGzip, true);
    }

    /**
     * The file is complete under its temporary name: the body becomes the {@link StagedFile} that the pipeline
     * renames into place under the fence.
     */
    public StagedFile seal(Exchange exchange) throws IOException {
        FileResult result = output.seal(exchange);
        Path root = outputDir.toAbsolutePath().normalize();
        FileLanded landed = new FileLanded(root.relativize(result.path().toAbsolutePath().normalize()).toString(),
                result.records(), result.bytes(), result.quarantined(), result.sha256Hex(),
                result.quarantinePath() == null ? null
                        : root.relativize(result.quarantinePath().toAbsolutePath().normalize()).toString());
        return new StagedFile() {
            @Override
            public FileLanded landed() {
                return landed;
            }

            @Override
            public void publish() throws IOException {
                output.publish(exchange);
            }

            @Override
            public void published() {
                output.landed(exchange, result, "");
            }

            @Override
            public void discard() {
                output.abort(exchange);
            }
        };
    }

    /**
     * Writes the manifest of a run whose files have all landed (see {@link Manifest}), with each file's path relative
     * to the request's folder, under a temporary name then renamed and synced, so that its presence means the request
     * is complete.
     */
    public void writeManifest(Run run, List<RunFile> files) throws IOException {
        Path dir = outputDir.resolve(run.folder()).toAbsolutePath().normalize();
        Path root = outputDir.toAbsolutePath().normalize();
        byte[] json = new Manifest(run, files).toJson("path",
                file -> dir.relativize(root.resolve(file.outputPath())).toString());
        Files.createDirectories(dir);
        RecordFileWriter.writeAtomically(dir.resolve(MANIFEST), json);
    }
}
