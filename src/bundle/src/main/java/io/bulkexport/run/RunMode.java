package io.bulkexport.run;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

import io.bulkexport.state.Run;
import io.bulkexport.state.RunFile;
import io.bulkexport.state.RunStatus;
import io.bulkexport.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code service} keeps running scheduled jobs; {@code once} waits until every one-shot job of this instance has
 * ended, prints one summary line per job and stops with exit code 0 (all done) or 1 (any not done). Once mode looks
 * as soon as the state store ends a run, and every {@code checkMillis} in case a run ended some other way.
 */
public class RunMode {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.summary");

    private final boolean once;
    private volatile boolean started;
    private final StateStore store;
    private final Jobs jobs;
    private final IntConsumer stop;
    private final long checkMillis;
    /** When this process made its run mode: a run that ended before is not this start's doing. */
    private final java.time.Instant createdAt = java.time.Instant.now();
    private volatile int exitCode;
    private volatile ScheduledExecutorService watcher;
    private boolean finished; // only touched on the watcher's thread
    private final AtomicBoolean checkQueued = new AtomicBoolean();
    private String witness; // a one-shot job whose run was active at the last check; only touched on the watcher's thread

    /** @param stop told the exit code once every one-shot job has ended (once mode) */
    public RunMode(boolean once, StateStore store, Jobs jobs, IntConsumer stop, long checkMillis) {
        this.once = once;
        this.store = store;
        this.jobs = jobs;
        this.stop = stop;
        this.checkMillis = checkMillis;
        if (once) {
            store.onRunEnded(this::runEnded);
        }
    }

    public boolean isOnce() {
        return once;
    }

    public int exitCode() {
        return exitCode;
    }

    /** True once the start-up route has started or resumed every job. */
    public boolean hasStarted() {
        return started;
    }

    /** Called when the start-up route has started or resumed every job. */
    public synchronized void startupDone() {
        started = true;
        if (!once) {
            long scheduled = jobs.catalog().all().stream().filter(j -> !j.isOnce()).count();
            LOG.info("service mode: {} one-shot job(s) looked at (each says above what it did), {} scheduled job(s)"
                    + " waiting for their time", jobs.onceJobNames().size(), scheduled);
            return;
        }
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bulkexport-once-watcher");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::checkFinished, 0, checkMillis, TimeUnit.MILLISECONDS);
    }

    private void runEnded() {
        ScheduledExecutorService current = watcher;
        // runs ending together (hundreds of small jobs) make one check, not one each
        if (current != null && checkQueued.compareAndSet(false, true)) {
            try {
                current.execute(() -> {
                    checkQueued.set(false);
                    checkFinished();
                });
            } catch (RejectedExecutionException alreadyStopping) {
                // the last check has already seen every job end
            }
        }
    }

    private void checkFinished() {
        if (finished) {
            return;
        }
        try {
            // While a one-shot job's run is active there is nothing to summarise. One such job (the witness) is
            // looked up by name; only once its run has ended are all active runs read, and the newest of this
            // instance's jobs among them becomes the next witness: runs started last tend to end last, so with
            // thousands of runs ending one by one the active ones are read a few times, not once per ended run.
            Set<String> mine = jobs.onceJobNames();
            if (witness != null && store.latestRun(witness).filter(run -> run.status().isActive()).isPresent()) {
                return;
            }
            witness = store.activeJobNames().stream().filter(mine::contains).findFirst().orElse(null);
            if (witness != null) {
                return;
            }
            List<Run> latest = new ArrayList<>();
            List<String> neverStarted = new ArrayList<>();
            // one query for all jobs, however many
            Map<String, Run> byJob = new HashMap<>();
            store.latestRuns().forEach(run -> byJob.put(run.jobName(), run));
            for (String name : mine) {
                Optional<Run> run = Optional.ofNullable(byJob.get(name));
                if (run.isPresent() && run.get().status().isActive()) {
                    return;
                }
                run.ifPresentOrElse(latest::add, () -> neverStarted.add(name));
            }
            int code = neverStarted.isEmpty() ? 0 : 1;
            neverStarted.forEach(name -> LOG.info("NOT STARTED {} — see the errors above", name));
            for (Run run : latest) {
                LOG.info("{}", summary(run));
                if (run.status() != RunStatus.DONE) {
                    code = 1;
                }
            }
            exitCode = code;
            finished = true;
            watcher.shutdown();
            stop.accept(code);
        } catch (RuntimeException e) {
            LOG.error("cannot read the runs' state: {}", e.getMessage());
        }
    }

    private String summary(Run run) {
        List<RunFile> files = store.files().of(run.runId());
        long records = files.stream().mapToLong(RunFile::records).sum();
        long quarantined = files.stream().mapToLong(RunFile::quarantined).sum();
        long bytes = files.stream().mapToLong(RunFile::bytes).sum();
        String what = run.status() + " " + run.jobName() + " request=" + run.requestId() + " files=" + files.size()
                + " records=" + records + " quarantined=" + quarantined + String.format(" bytes=%.1fMB", bytes / 1e6);
        what = run.message() == null ? what : what + " — " + run.message();
        if (run.finishedAt() != null && run.finishedAt().isBefore(createdAt)) {
            // not this process's doing: say so, and how to ask for a new run
            return "nothing to do: " + what + " (ended " + run.finishedAt() + ", before this start; bulkexport.new-run="
                    + run.jobName() + " submits a new, paid run)";
        }
        return what;
    }
}
