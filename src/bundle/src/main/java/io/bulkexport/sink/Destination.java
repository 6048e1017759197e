package io.bulkexport.sink;

import java.nio.file.Path;
import java.util.Locale;

import io.bulkexport.records.Compression;

/**
 * Where a run's files land, as recorded on the run ({@code bulkexport_run.destination}) and shown to people:
 * {@code file:/root} or {@code file:/root (gzip)} for the file sink, {@code s3://bucket/prefix (gzip)} for S3. Written
 * and read here only, so that the recorded words and what is derived from them (an object's location for the hook
 * events) cannot drift apart.
 */
public record Destination(String text) {
    /** The file sink's root folder (absolute) and how it stores records. */
    public static Destination files(Path root, Compression compression) {
        return new Destination("file:" + root + (compression == Compression.GZIP ? " (gzip)" : ""));
    }

    /** A bucket, a key prefix (without leading or trailing '/', possibly empty) and how objects are stored. */
    public static Destination s3(String bucket, String prefix, Compression compression) {
        return new Destination("s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix) + " ("
                + compression.name().toLowerCase(Locale.ROOT) + ")");
    }

    /**
     * Where one landed object is: a path for the file sink ({@code outputPath} is relative to the root), or
     * {@code s3://bucket/key} for S3 ({@code outputPath} is the whole key, prefix included).
     */
    public String location(String outputPath) {
        String where = where();
        if (where.startsWith("file:")) {
            return Path.of(where.substring("file:".length())).resolve(outputPath).toString();
        }
        if (where.startsWith("s3://")) {
            String rest = where.substring("s3://".length());
            int slash = rest.indexOf('/');
            return "s3://" + (slash < 0 ? rest : rest.substring(0, slash)) + "/" + outputPath;
        }
        return where;
    }

    /** Where a run's files and manifest are: its folder under the file sink's root, or under the bucket's prefix. */
    public String folder(String folder) {
        String where = where();
        return where.startsWith("file:") ? Path.of(where.substring("file:".length())).resolve(folder).toString()
                : where + "/" + folder;
    }

    /** The text without its compression note (only the notes written here: a folder's own brackets stay). */
    private String where() {
        return text.replaceFirst(" \\((gzip|none)\\)$", "");
    }

    @Override
    public String toString() {
        return text;
    }
}
