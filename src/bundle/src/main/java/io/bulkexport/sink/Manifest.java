package io.bulkexport.sink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulkexport.state.FileStatus;
import io.bulkexport.state.Run;
import io.bulkexport.state.RunFile;

/**
 * A request's {@code _manifest.json}: files, record counts, quarantined lines and checksums. The same content
 * whatever the sink; only where each file is differs (a path on disk, a key in a bucket).
 */
final class Manifest {
    static final String NAME = "_manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Run run;
    private final List<RunFile> files;

    /** The manifest of a run whose files have all landed, as the ledger recorded them. */
    Manifest(Run run, List<RunFile> files) {
        if (files.stream().anyMatch(f -> f.status() != FileStatus.DONE)) {
            throw new IllegalArgumentException("a manifest lists landed files only: run " + run.runId());
        }
        this.run = run;
        this.files = files;
    }

    /**
     * The manifest as JSON.
     *
     * @param locationField what each file entry calls its location ({@code path}, {@code key})
     * @param location      where a file landed
     */
    byte[] toJson(String locationField, Function<RunFile, String> location) {
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("job", run.jobName());
        manifest.put("provider", run.provider());
        manifest.put("request_id", run.requestId());
        manifest.put("run_id", run.runId());
        manifest.put("submitted_at", String.valueOf(run.submittedAt()));
        manifest.put("completed_at", Instant.now().toString());
        manifest.put("records", files.stream().mapToLong(RunFile::records).sum());
        manifest.put("quarantined", files.stream().mapToLong(RunFile::quarantined).sum());
        ArrayNode list = manifest.putArray("files");
        for (RunFile file : files) {
            ObjectNode entry = list.addObject();
            entry.put("source", file.fileName());
            entry.put(locationField, location.apply(file));
            entry.put("records", file.records());
            entry.put("bytes", file.bytes());
            entry.put("sha256", file.sha256());
            entry.put("quarantined", file.quarantined());
        }
        try {
            return JSON.writeValueAsBytes(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
