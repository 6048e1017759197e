package io.bulkexport.records;

import java.io.Closeable;
import java.util.Iterator;

/**
 * Batches read from one source stream. Read failures surface from {@code hasNext()} and
 * {@code next()} as {@link java.io.UncheckedIOException}; closing releases the stream.
 */
public interface RecordBatchIterator extends Iterator<RecordBatch>, Closeable {

    /** Closes the underlying stream; later calls to {@code hasNext()} return {@code false}. */
    @Override
    void close();
}
