package io.bulkexport.sandbox;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * First-in first-out queues of {@link Fault}s, one per {@link EndpointKind}. Each fault is used up by
 * the next request of its kind that it matches; a fault may be limited to one file index. Thread-safe.
 */
public final class FaultQueue {

    /** File index of requests that do not concern any particular file. */
    public static final int NO_FILE = -1;

    private static final int ANY_FILE = -2;

    private record Entry(Fault fault, int fileIndex) {
        boolean matches(int requestFileIndex) {
            return fileIndex == ANY_FILE || fileIndex == requestFileIndex;
        }
    }

    private final Map<EndpointKind, Deque<Entry>> queues = new EnumMap<>(EndpointKind.class);

    /** Creates empty queues. */
    public FaultQueue() {
        for (EndpointKind kind : EndpointKind.values()) {
            queues.put(kind, new ArrayDeque<>());
        }
    }

    /** Queues a fault for the next request of this kind. */
    public synchronized FaultQueue add(EndpointKind kind, Fault fault) {
        queues.get(kind).addLast(new Entry(fault, ANY_FILE));
        return this;
    }

    /** Queues a fault for the next request of this kind that concerns the file with this index (0-based). */
    public synchronized FaultQueue addForFile(EndpointKind kind, int fileIndex, Fault fault) {
        if (fileIndex < 0) {
            throw new IllegalArgumentException("fileIndex must be >= 0");
        }
        queues.get(kind).addLast(new Entry(fault, fileIndex));
        return this;
    }

    /** Queues a fault for the next submission. */
    public FaultQueue onSubmit(Fault fault) {
        return add(EndpointKind.SUBMIT, fault);
    }

    /** Queues a fault for the next status or listing request. */
    public FaultQueue onStatus(Fault fault) {
        return add(EndpointKind.STATUS, fault);
    }

    /** Queues a fault for the next download of any file. */
    public FaultQueue onDownload(Fault fault) {
        return add(EndpointKind.DOWNLOAD, fault);
    }

    /** Queues a fault for the next download of the file with this index (0-based, in listing order). */
    public FaultQueue onDownloadOfFile(int fileIndex, Fault fault) {
        return addForFile(EndpointKind.DOWNLOAD, fileIndex, fault);
    }

    /**
     * Removes and returns the oldest fault of this kind that matches a request for the given file
     * ({@link #NO_FILE} if the request concerns none).
     */
    public synchronized Optional<Fault> take(EndpointKind kind, int fileIndex) {
        Iterator<Entry> entries = queues.get(kind).iterator();
        while (entries.hasNext()) {
            Entry entry = entries.next();
            if (entry.matches(fileIndex)) {
                entries.remove();
                return Optional.of(entry.fault());
            }
        }
        return Optional.empty();
    }

    /** Number of faults of this kind not used up yet. */
    public synchronized int pending(EndpointKind kind) {
        return queues.get(kind).size();
    }

    /** Forgets every queued fault. */
    public synchronized void clear() {
        queues.values().forEach(Deque::clear);
    }
}
