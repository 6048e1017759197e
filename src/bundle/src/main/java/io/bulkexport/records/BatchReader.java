package io.bulkexport.records;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.NoSuchElementException;

/**
 * The iterator side of a reader that splits a stream into batches one at a time: the next batch is read when asked
 * for, a read failure is reported once as {@link UncheckedIOException} naming where reading stopped (the
 * iteration is then over), and the stream is closed at its end. Subclasses say how a batch is read.
 */
abstract class BatchReader implements RecordBatchIterator {
    protected final String sourceFile;
    private RecordBatch ready;
    private boolean closed;

    BatchReader(String sourceFile) {
        this.sourceFile = sourceFile;
    }

    /** The next batch, or null at the end of the stream. */
    protected abstract RecordBatch readBatch() throws IOException;

    /** Where reading is, for error messages, e.g. {@code line 17}. */
    protected abstract String position();

    /** Closes the stream. */
    protected abstract void closeSource() throws IOException;

    @Override
    public boolean hasNext() {
        if (ready == null && !closed) {
            try {
                ready = readBatch();
            } catch (IOException e) {
                closeQuietly(); // over: the failure is reported once, by this call (see ReadAheadIterator)
                throw new UncheckedIOException("reading " + sourceFile + " after " + position() + ": "
                        + e.getMessage(), e);
            }
            if (ready == null) {
                close();
            }
        }
        return ready != null;
    }

    @Override
    public RecordBatch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more batches in " + sourceFile);
        }
        RecordBatch batch = ready;
        ready = null;
        return batch;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                closeSource();
            } catch (IOException e) {
                throw new UncheckedIOException("closing " + sourceFile, e);
            }
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (UncheckedIOException ignored) {
            // the read failure is the one worth reporting
        }
    }
}
