package io.bulkexport.sink;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.bulkexport.job.JobDefinition;
import io.bulkexport.records.Compression;
import io.bulkexport.records.FileResult;
import io.bulkexport.records.RecordBatch;
import io.bulkexport.records.RecordFileWriter;
import io.bulkexport.records.RecordReaders;
import io.bulkexport.run.FileClaims;
import io.bulkexport.run.RunExchange;
import org.apache.camel.Exchange;

/**
 * The local output of one attempt at one vendor file, kept on the exchange between the route's steps: its writer,
 * the vendor stream it reads, its progress and, for a sink that uploads it, the finished local copy. Every sink
 * opens one; the record split writes through it and error handling discards it, whatever the sink.
 */
public class RecordOutput {
    private static final String WRITER = "bulkexportWriter";
    private static final String SOURCE = "bulkexportSource";
    private static final String PROGRESS = "bulkexportProgress";
    private static final String SPOOLED = "bulkexportSpooled";
    /** Exchange property: the setting that chose the folder of the file being written (for a disk's failure). */
    private static final String SETTING = "bulkexportOutputSetting";

    private final long progressIntervalNanos;

    public RecordOutput(long progressIntervalMillis) {
        this.progressIntervalNanos = progressIntervalMillis * 1_000_000L;
    }

    /**
     * Starts writing {@code target} for the file named by property {@code fileName}; the body is the vendor's
     * response stream. Whatever an earlier attempt at this file left open is discarded first. With
     * {@code keepVendorGzip}, a gzip output of a gzip JSON Lines file keeps the vendor's bytes when the records allow
     * it ({@link RecordFileWriter#keepSource}).
     */
    void open(Exchange exchange, Path target, String setting, Compression compression, boolean keepVendorGzip,
              boolean durable) {
        abort(exchange);
        exchange.setProperty(SETTING, setting);
        String fileName = exchange.getProperty(RunExchange.FILE_NAME, String.class);
        Object body = exchange.getMessage().getBody();
        try {
            RecordFileWriter writer = RecordFileWriter.open(target, fileName, compression, durable);
            exchange.setProperty(WRITER, writer);
            // gzip records from a gzip JSON Lines file: the vendor's compressed bytes are kept, if the records allow
            if (keepVendorGzip && compression == Compression.GZIP && body instanceof InputStream vendorStream
                    && RecordReaders.isGzipJsonLines(exchange.getProperty(RunExchange.ENCODING, String.class),
                            exchange.getProperty(RunExchange.FORMAT, String.class))) {
                body = writer.keepSource(vendorStream);
                exchange.getMessage().setBody(body);
            }
        } catch (IOException e) {
            LocalDiskException disk = LocalDiskException.of(e, target, setting, 0);
            throw disk != null ? disk : new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } catch (java.nio.file.ReadOnlyFileSystemException e) {
            throw LocalDiskException.readOnly(e, target, setting);
        }
        exchange.setProperty(SOURCE, body);
        exchange.setProperty(PROGRESS, new FileProgress(exchange.getProperty(RunExchange.JOB, JobDefinition.class).name(),
                fileName, System.nanoTime()));
    }

    /**
     * Writes a validated batch of records (the body), unless the file's claim was revoked meanwhile (this instance
     * found its lease lapsed): then the attempt stops here, superseded.
     */
    public void write(Exchange exchange) throws IOException {
        FileClaims.requireHeld(exchange);
        RecordBatch batch = exchange.getMessage().getBody(RecordBatch.class);
        RecordFileWriter writer = exchange.getProperty(WRITER, RecordFileWriter.class);
        try {
            writer.write(batch);
        } catch (IOException e) {
            throw disk(exchange, writer, e);
        }
        exchange.getProperty(PROGRESS, FileProgress.class).batchWritten(writer, progressIntervalNanos);
    }

    /** Completes the local file (moved under its final name) and releases the vendor stream. */
    FileResult commit(Exchange exchange) throws IOException {
        FileResult result = seal(exchange);
        publish(exchange);
        return result;
    }

    /**
     * Completes the local file under its temporary name, to be published by {@link #publish} (or discarded by
     * {@link #abort}), and releases the vendor stream.
     */
    FileResult seal(Exchange exchange) throws IOException {
        RecordFileWriter writer = exchange.getProperty(WRITER, RecordFileWriter.class);
        FileResult result;
        try {
            result = writer.seal();
        } catch (IOException e) {
            throw disk(exchange, writer, e);
        }
        closeSource(exchange);
        return result;
    }

    /** Moves the file {@link #seal}ed under its final name. */
    void publish(Exchange exchange) throws IOException {
        exchange.getProperty(WRITER, RecordFileWriter.class).publish();
        exchange.removeProperty(WRITER);
    }

    /**
     * A write's failure: thrown here as a {@link LocalDiskException} when it is the disk's own (not retried), else
     * returned for the caller to throw as it came.
     */
    private static IOException disk(Exchange exchange, RecordFileWriter writer, IOException failure) {
        LocalDiskException disk = LocalDiskException.of(failure, writer.target(),
                exchange.getProperty(SETTING, String.class), writer.bytes());
        if (disk != null) {
            throw disk;
        }
        return failure;
    }

    /** Remembers a committed local file that is only a copy on its way elsewhere: {@link #abort} deletes it. */
    void spooled(Exchange exchange, FileResult result) {
        exchange.setProperty(SPOOLED, result);
    }

    /** The file has landed where it belongs: logs it, and deletes the spooled copy if there is one. */
    void landed(Exchange exchange, FileResult result, String where) {
        deleteSpooled(exchange);
        exchange.getProperty(PROGRESS, FileProgress.class).landed(result, where);
    }

    /** Discards a file in progress, and its spooled copy: nothing of it stays. Safe to call when nothing is open. */
    public void abort(Exchange exchange) {
        RecordFileWriter writer = exchange.getProperty(WRITER, RecordFileWriter.class);
        exchange.removeProperty(WRITER);
        if (writer != null) {
            writer.abort();
        }
        closeSource(exchange);
        deleteSpooled(exchange);
    }

    private static void deleteSpooled(Exchange exchange) {
        FileResult spooled = (FileResult) exchange.removeProperty(SPOOLED);
        if (spooled != null) {
            deleteQuietly(spooled.path());
            deleteQuietly(spooled.quarantinePath());
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException ignored) {
            // the spool is cleaned at the next start
        }
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
}
