package io.bulkexport.run;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.bulkexport.metrics.ExportMeters;
import io.bulkexport.sink.StagedFile;
import io.bulkexport.state.FileClaim;
import io.bulkexport.state.FileStatus;
import io.bulkexport.state.RunFile;
import io.bulkexport.state.RunStatus;
import io.bulkexport.state.StateStore;
import io.bulkexport.vendor.FileExpiredException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of the download stage, under the fence: a file's output is published only while the attempt's claim of it
 * holds ({@link StateStore#landFile}), a failure is recorded only under it, and a run ends once, by whoever finds its
 * last file settled, with the manifest its sink writes from what the ledger recorded ({@link StateStore#endRun}).
 * An attempt that lost its claim (its instance's lease lapsed and another instance took the file) discards its
 * output, says so in one line, and counts it ({@code bulkexport.files.superseded}).
 */
public class Landings {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.runs");
    /** Exchange property: when the file being fetched was first attempted (System.nanoTime). */
    static final String FILE_STARTED = "bulkexportFileStarted";

    private final StateStore store;
    private final FileClaims claims;
    private final ExportMeters meters;
    private final Map<String, StateStore.RunEnding> manifests;

    /** @param manifests what writes a run's manifest, by sink name ({@code file}, {@code s3}) */
    public Landings(StateStore store, FileClaims claims, ExportMeters meters,
                    Map<String, StateStore.RunEnding> manifests) {
        this.store = store;
        this.claims = claims;
        this.meters = meters;
        this.manifests = manifests;
    }

    /** The sink staged the file (body: its {@link StagedFile}): published and recorded, if the claim still holds. */
    public void land(Exchange exchange) throws Exception {
        StagedFile staged = exchange.getMessage().getBody(StagedFile.class);
        FileClaim claim = FileClaims.of(exchange);
        boolean landed;
        try {
            FileClaims.requireHeld(exchange);
            landed = store.files().land(claim, staged.landed(), staged::publish);
        } catch (Exception e) {
            staged.discard();
            throw e;
        }
        claims.settled(claim);
        if (!landed) {
            staged.discard();
            superseded(exchange, claim);
            return;
        }
        staged.published();
        Long started = exchange.getProperty(FILE_STARTED, Long.class);
        meters.fileLanded(exchange.getProperty(RunExchange.PROVIDER, String.class), exchange.getProperty(RunExchange.SINK, String.class),
                staged.landed().records(), staged.landed().bytes(), staged.landed().quarantined(),
                Duration.ofNanos(started == null ? 0 : System.nanoTime() - started));
    }

    /** A file could not be fetched after its retries, or has expired at the vendor; the run carries on. */
    public void failed(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        FileClaim claim = FileClaims.of(exchange);
        claims.settled(claim);
        if (isSuperseded(cause)) {
            superseded(exchange, claim);
            return;
        }
        String message = RunText.describe(cause);
        String fileName = exchange.getProperty(RunExchange.FILE_NAME, String.class);
        boolean expired = cause instanceof FileExpiredException;
        if (claim == null || !store.files().failed(claim, expired ? FileStatus.EXPIRED : FileStatus.FAILED, message)) {
            superseded(exchange, claim);
            return;
        }
        meters.fileFailed(exchange.getProperty(RunExchange.PROVIDER, String.class));
        LOG.error("{}: file {} {}: {}", exchange.getProperty(RunExchange.JOB_NAME), fileName, expired ? "EXPIRED" : "failed",
                message);
    }

    /**
     * After this process's pass over a run's files: ends the run if none is left to fetch (DONE with its manifest,
     * or INCOMPLETE); files other instances are still fetching leave that to whoever lands the last one.
     */
    public void endRun(Exchange exchange) throws Exception {
        String runId = exchange.getProperty(RunExchange.RUN_ID, String.class);
        Object jobName = exchange.getProperty(RunExchange.JOB_NAME);
        StateStore.RunEnding manifest = manifests.get(exchange.getProperty(RunExchange.SINK, String.class));
        Optional<RunStatus> ended = store.endRun(runId, manifest, files -> incomplete(files, jobName));
        List<RunFile> files = store.files().of(runId);
        if (ended.isEmpty()) {
            long pending = files.stream().filter(f -> f.status() == FileStatus.PENDING).count();
            if (pending > 0) {
                LOG.info("{}: {} file(s) of request {} are with other instances; the one that lands the last writes"
                        + " the manifest", jobName, pending, exchange.getProperty(RunExchange.REQUEST_ID));
            }
        } else if (ended.get() == RunStatus.DONE) {
            LOG.info("{}: DONE — request {}: {} file(s), {} records, {} quarantined", jobName,
                    exchange.getProperty(RunExchange.REQUEST_ID), files.size(), files.stream().mapToLong(RunFile::records).sum(),
                    files.stream().mapToLong(RunFile::quarantined).sum());
        } else {
            LOG.error("{}: INCOMPLETE — {}", jobName, store.run(runId).map(r -> r.message()).orElse(""));
        }
    }

    /** Why a run whose files are all settled, not all landed, is incomplete, and what to do. */
    private static String incomplete(List<RunFile> files, Object jobName) {
        List<RunFile> failed = files.stream().filter(f -> f.status() != FileStatus.DONE).toList();
        RunFile first = failed.get(0);
        if (failed.stream().allMatch(f -> f.status() == FileStatus.EXPIRED)) {
            return failed.size() + " of " + files.size() + " file(s) expired at the vendor before they were fetched"
                    + " (first: " + first.fileName() + ": " + first.message() + "); files already landed are kept; the"
                    + " rest can only come from a new, paid run: -Dbulkexport.new-run=" + jobName;
        }
        return failed.size() + " of " + files.size() + " file(s) failed (first: " + first.fileName() + ": "
                + first.message() + "); files already landed are kept, and starting the job again retries the rest"
                + " without submitting";
    }

    private void superseded(Exchange exchange, FileClaim claim) {
        meters.fileSuperseded(exchange.getProperty(RunExchange.PROVIDER, String.class));
        LOG.warn("{}: file {} of request {}: this attempt was superseded — the instance no longer holds the file's"
                        + " claim{} (its lease lapsed, and the file is another instance's now); its output is discarded",
                exchange.getProperty(RunExchange.JOB_NAME), exchange.getProperty(RunExchange.FILE_NAME), exchange.getProperty(RunExchange.REQUEST_ID),
                claim == null ? "" : " " + claim.epoch());
    }

    private static boolean isSuperseded(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SupersededException) {
                return true;
            }
        }
        return false;
    }
}
