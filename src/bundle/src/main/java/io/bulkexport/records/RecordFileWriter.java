package io.bulkexport.records;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes the kept records of one output file, one per line (plain or gzip-compressed), into a hidden temp file that
 * {@link #commit()} renames into place; quarantined lines go to a plain
 * {@code <name>.quarantine.jsonl} file beside it, created only when needed. Not thread-safe:
 * one writer per output file, driven by one thread at a time.
 * <p>
 * A gzip output of a gzip JSON Lines source can keep the vendor's own compressed bytes instead of compressing the
 * records again ({@link #keepSource}): as long as every record is written exactly as read, the stored file is the
 * source file, copied as it was read; at the first batch that differs, the writer compresses what it had taken from
 * the copy and goes on as usual. Either way the stored file decodes to exactly the records written.
 */
public final class RecordFileWriter implements Closeable {

    private enum State { OPEN, SEALED, COMMITTED, ABORTED }

    private final Path target;
    private final Path temp;
    private final Path quarantineTarget;
    private final Path quarantineTemp;
    private final String sourceFile;
    private final Compression compression;
    private final HashingFileOutput out;
    private final boolean durable;
    private final String attempt;
    private Path stored; // what the sealed output is, before it is published: the temp, or the kept source
    private SourceCopy source; // the vendor's file, while it can still be stored as it is
    private QuarantineFile quarantine;
    private long records;
    private long quarantined;
    private State state = State.OPEN;

    private RecordFileWriter(Path target, String attempt, String sourceFile, Compression compression,
                             HashingFileOutput out, boolean durable) {
        this.target = target;
        this.attempt = attempt;
        this.durable = durable;
        this.compression = compression;
        this.temp = AtomicFiles.tempFor(target, attempt);
        this.quarantineTarget = quarantinePathFor(target);
        this.quarantineTemp = AtomicFiles.tempFor(quarantineTarget, attempt);
        this.sourceFile = sourceFile;
        this.out = out;
    }

    /**
     * Starts writing {@code target}: creates its parent directories and a temp file of this attempt's own
     * ({@code .<name>.<attempt>.part}) beside it. {@code sourceFile} is what
     * quarantine lines name when a batch does not carry its own.
     */
    public static RecordFileWriter open(Path target, String sourceFile) throws IOException {
        return open(target, sourceFile, Compression.NONE);
    }

    /** As {@link #open(Path, String)}, storing the records with the given compression. */
    public static RecordFileWriter open(Path target, String sourceFile, Compression compression) throws IOException {
        return open(target, sourceFile, compression, true);
    }

    /**
     * As {@link #open(Path, String, Compression)}; a {@code durable} output is forced to disk, with its folder's
     * entry, before {@link #commit()} returns, so that it survives a power cut or an operating system crash once
     * committed. A file that only lives until it is uploaded (a spool file, deleted at the next start if a crash
     * leaves it) need not be: forcing it would only make the upload wait for the disk.
     */
    public static RecordFileWriter open(Path target, String sourceFile, Compression compression, boolean durable)
            throws IOException {
        Path absolute = Objects.requireNonNull(target, "target").toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        String attempt = AtomicFiles.newAttempt();
        return new RecordFileWriter(absolute, attempt, sourceFile, compression,
                HashingFileOutput.create(AtomicFiles.tempFor(absolute, attempt), compression), durable);
    }

    /**
     * Offers the gzip JSON Lines stream the records will be read from, before the first batch, so that the stored
     * file can be that stream's own bytes (see the class comment): returns the stream to read instead, which copies
     * what passes into a temp file beside the output ({@code .<name>.source.<attempt>.part}). Only for a gzip output; the
     * stream must be the raw gzip bytes.
     */
    public InputStream keepSource(InputStream gzipSource) throws IOException {
        requireOpen();
        if (compression != Compression.GZIP || source != null) {
            throw new IllegalStateException("only a gzip output, once, can keep its source: " + target);
        }
        source = SourceCopy.create(AtomicFiles.tempFor(target.resolveSibling(target.getFileName() + ".source"),
                attempt));
        return source.tee(gzipSource);
    }

    /**
     * Writes a small file whole ({@code content}), under a temporary name of its own, forced to disk, then renamed
     * over {@code target} and its folder synced: readers see the old file or the new one, never part of one.
     */
    public static void writeAtomically(Path target, byte[] content) throws IOException {
        Path temp = AtomicFiles.tempFor(target, AtomicFiles.newAttempt());
        try {
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(temp,
                    java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            AtomicFiles.moveIntoPlace(temp, target);
            AtomicFiles.syncDirectory(target.getParent());
        } finally {
            AtomicFiles.deleteQuietly(temp); // gone after the move; left only by a failure
        }
    }

    /** Where quarantined lines for {@code target} go: {@code <name without .jsonl or .jsonl.gz>.quarantine.jsonl}. */
    public static Path quarantinePathFor(Path target) {
        return target.resolveSibling(quarantineNameFor(target.getFileName().toString()));
    }

    /** The name of the quarantine file for an output named {@code name} (which may hold folders, '/'-separated). */
    public static String quarantineNameFor(String name) {
        return name.replaceFirst("\\.jsonl(\\.gz)?$", "") + ".quarantine.jsonl";
    }

    /**
     * Deletes temp files ({@code .*.part}) that an interrupted run left anywhere under
     * {@code directory}; returns how many. Call it at startup, before any writer is open there.
     */
    public static int deleteStaleTemps(Path directory) throws IOException {
        return AtomicFiles.deleteTemps(directory);
    }

    /**
     * Appends the batch's kept records, each followed by '\n', and its quarantined lines; those name
     * the batch's source file, or the writer's if the batch has none.
     */
    public void write(RecordBatch batch) throws IOException {
        requireOpen();
        if (source != null) {
            if (source.take(batch)) {
                records += batch.size();
                return;
            }
            compressTaken();
        }
        byte[] data = batch.data();
        int size = batch.size();
        for (int i = 0; i < size; i++) {
            out.writeLine(data, batch.offset(i), batch.length(i));
        }
        records += size;
        if (!batch.quarantined().isEmpty()) {
            writeQuarantined(batch);
        }
    }

    /** Where the output goes once committed. */
    public Path target() {
        return target;
    }

    /** Records written so far. */
    public long records() {
        return records;
    }

    /** Bytes of records written so far, newlines included, before any compression. */
    public long bytes() {
        return source != null ? source.takenBytes() : out.lineBytes();
    }

    /** The records are no longer the source's content as it is: they are compressed here, from the start. */
    private void compressTaken() throws IOException {
        SourceCopy copy = source;
        source = null;
        try {
            copy.decodeTaken(out::write);
        } finally {
            copy.discard();
        }
    }

    /**
     * Makes the output final: {@link #seal} then {@link #publish}.
     */
    public FileResult commit() throws IOException {
        FileResult result = seal();
        publish();
        return result;
    }

    /**
     * Completes the output without making it visible: flushes the temp files (and forces them to disk if durable).
     * The result names where {@link #publish} will put it. On failure the temps are deleted.
     */
    public FileResult seal() throws IOException {
        requireOpen();
        try {
            if (source != null && !source.isWhole()) {
                compressTaken();
            }
            stored = temp;
            String sha256;
            long bytes;
            if (source != null) {
                out.close();
                Files.delete(temp);
                stored = source.path();
                sha256 = source.finish(durable);
                bytes = source.size();
            } else {
                sha256 = out.finish(durable);
                bytes = out.storedBytes();
            }
            if (quarantine != null) {
                quarantine.finish(durable);
            }
            state = State.SEALED;
            return new FileResult(target, records, bytes, sha256, quarantined,
                    quarantine == null ? null : quarantineTarget, source != null);
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
    }

    /**
     * Renames the sealed temp files over the targets (quarantine first, so the main file appearing means everything
     * is in place; a stale quarantine file is removed if this attempt quarantined nothing), and deletes what other
     * attempts at this file left beside it. On failure the temps are deleted.
     */
    public void publish() throws IOException {
        if (state != State.SEALED) {
            throw new IllegalStateException("writer for " + target + " is " + state.name().toLowerCase()
                    + ", not sealed");
        }
        try {
            if (quarantine != null) {
                AtomicFiles.moveIntoPlace(quarantineTemp, quarantineTarget);
            } else {
                Files.deleteIfExists(quarantineTarget);
            }
            AtomicFiles.moveIntoPlace(stored, target);
            if (durable) {
                AtomicFiles.syncDirectory(target.getParent());
            }
            state = State.COMMITTED;
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
        AtomicFiles.deleteOtherAttempts(target, "source");
        AtomicFiles.deleteOtherAttempts(quarantineTarget);
    }

    /** Discards the output: closes quietly and deletes the temp files. Does nothing after commit or a previous abort. */
    public void abort() {
        if (state == State.COMMITTED || state == State.ABORTED) {
            return;
        }
        state = State.ABORTED;
        closeQuietly(out);
        closeQuietly(quarantine);
        closeQuietly(source);
        AtomicFiles.deleteQuietly(temp);
        AtomicFiles.deleteQuietly(quarantineTemp);
        if (stored != null) {
            AtomicFiles.deleteQuietly(stored);
        }
    }

    /** Same as {@link #abort()}: a writer closed without a commit leaves nothing behind. */
    @Override
    public void close() {
        abort();
    }

    private void writeQuarantined(RecordBatch batch) throws IOException {
        if (quarantine == null) {
            quarantine = QuarantineFile.create(quarantineTemp);
        }
        String source = batch.sourceFile() != null ? batch.sourceFile() : sourceFile;
        for (QuarantinedRecord record : batch.quarantined()) {
            quarantine.write(source, record);
            quarantined++;
        }
    }

    private void requireOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("writer for " + target + " is already " + state.name().toLowerCase());
        }
    }

    private static void closeQuietly(Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException ignored) {
            // aborting anyway
        }
    }
}
