package io.bulkexport.sandbox;

import java.util.ArrayList;
import java.util.List;

/** Thread-safe record of every request a sandbox answered (or dropped), in the order the answers began. */
public final class RequestLog {

    private final List<LoggedRequest> entries = new ArrayList<>();

    /** Appends one entry. */
    public synchronized void add(LoggedRequest entry) {
        entries.add(entry);
    }

    /** A snapshot of all entries so far. */
    public synchronized List<LoggedRequest> entries() {
        return List.copyOf(entries);
    }

    /** Forgets all entries. */
    public synchronized void clear() {
        entries.clear();
    }
}
