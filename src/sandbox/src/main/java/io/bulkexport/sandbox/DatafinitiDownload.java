package io.bulkexport.sandbox;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** One download a Datafiniti sandbox accepted (v4 or v3): its files, when it is done, and what was answered. */
final class DatafinitiDownload {
    private final String id;
    private final boolean v3;
    private final List<DatafinitiFile> files;
    private final long createdMillis = System.currentTimeMillis();
    private volatile long readyAtNanos;
    private final AtomicInteger listings = new AtomicInteger();
    private final List<String> answeredStatuses = Collections.synchronizedList(new ArrayList<>());

    DatafinitiDownload(String id, boolean v3, List<DatafinitiFile> files, long readyAtNanos) {
        this.id = id;
        this.v3 = v3;
        this.files = List.copyOf(files);
        this.readyAtNanos = readyAtNanos;
    }

    String id() {
        return id;
    }

    boolean v3() {
        return v3;
    }

    List<DatafinitiFile> files() {
        return files;
    }

    long createdMillis() {
        return createdMillis;
    }

    boolean isReady() {
        return System.nanoTime() - readyAtNanos >= 0;
    }

    void readyNow() {
        readyAtNanos = System.nanoTime();
    }

    /** Counts one more listing of the files; returns its number, from 1. */
    int listed() {
        return listings.incrementAndGet();
    }

    int listings() {
        return listings.get();
    }

    void answered(String status) {
        answeredStatuses.add(status);
    }

    List<String> answeredStatuses() {
        synchronized (answeredStatuses) {
            return List.copyOf(answeredStatuses);
        }
    }
}
