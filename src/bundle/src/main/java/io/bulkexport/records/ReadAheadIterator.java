package io.bulkexport.records;

import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Reads batches from another iterator on a background thread, keeping at most {@code depth}
 * batches ready, so that decompressing and splitting overlap with validating and writing.
 * A failure of the source is rethrown unchanged, once, by the {@code hasNext()}/{@code next()} that meets it; the
 * iteration is then over. (Camel's splitter walks its iterator once more while cleaning up after a failure; a second
 * throw there would only print the same error again, with a stack trace.)
 *
 * <p>Each {@code next()} releases the batch the one before returned ({@link RecordBatch#release()}): the consumer must
 * be done with a batch, and must not have handed it to another thread, when it asks for the next one. Camel's
 * splitter, streaming and not parallel, asks for the next batch only once every step has finished with the last.
 */
final class ReadAheadIterator implements RecordBatchIterator {

    private static final Object END = new Object();

    private record Failure(RuntimeException error) {
    }

    private final RecordBatchIterator source;
    private final BlockingQueue<Object> ready;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean closed;
    private Object next;
    private boolean ended;
    private RecordBatch handedOut;

    ReadAheadIterator(RecordBatchIterator source, int depth, String threadName) {
        this.source = source;
        this.ready = new ArrayBlockingQueue<>(depth);
        Thread reader = new Thread(this::readAll, threadName);
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    public boolean hasNext() {
        if (ended || closed) {
            return false;
        }
        if (next == null) {
            next = take();
        }
        if (next instanceof Failure f) {
            ended = true;
            next = null;
            throw f.error();
        }
        if (next == END) {
            ended = true;
            next = null;
            return false;
        }
        return true;
    }

    @Override
    public RecordBatch next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        RecordBatch batch = (RecordBatch) next;
        next = null;
        if (handedOut != null) {
            handedOut.release(); // asking for the next batch means being done with the last one
        }
        handedOut = batch;
        return batch;
    }

    /**
     * Stops the background reader and closes the source. Waits for the reader to finish its
     * current read; if that takes long (a stalled network stream), closes the source underneath it.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ready.clear(); // unblocks a reader waiting for room
        if (!awaitReader(100)) {
            closeSourceQuietly();
            awaitReader(10_000);
        }
        ready.clear();
    }

    private boolean awaitReader(long millis) {
        try {
            return finished.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void closeSourceQuietly() {
        try {
            source.close();
        } catch (RuntimeException ignored) {
            // the reader thread is being abandoned; its error no longer matters
        }
    }

    private Object take() {
        try {
            return ready.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while waiting for the next batch", e);
        }
    }

    private void readAll() {
        Object last = END;
        try {
            while (!closed && source.hasNext()) {
                if (!offer(source.next())) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            last = new Failure(e);
        } catch (Error e) {
            last = new Failure(new IllegalStateException("reader thread failed", e));
        } finally {
            try {
                source.close();
            } catch (RuntimeException e) {
                if (last == END) {
                    last = new Failure(e);
                }
            }
            if (!closed) {
                offer(last);
            }
            finished.countDown();
        }
    }

    /** Waits for room in the queue; gives up (returns false) once the consumer has closed. */
    private boolean offer(Object item) {
        try {
            while (!closed) {
                if (ready.offer(item, 50, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }
}
