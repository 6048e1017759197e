package io.bulkexport.run;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs this process has queued for download or is downloading: a pass of its own over a run is never started twice
 * (the heartbeat's resumption, a retried incomplete run and a ready status check all queue runs).
 */
public final class RunsInProcess {
    private final Set<String> runIds = ConcurrentHashMap.newKeySet();

    /** False if the run was in process already. */
    boolean add(String runId) {
        return runIds.add(runId);
    }

    boolean contains(String runId) {
        return runIds.contains(runId);
    }

    void remove(String runId) {
        runIds.remove(runId);
    }
}
