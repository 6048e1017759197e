package io.bulkexport.run;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.bulkexport.job.JobDefinition;
import io.bulkexport.sink.Layout;
import io.bulkexport.sink.SafePaths;
import io.bulkexport.sink.SinkRefusedException;
import io.bulkexport.state.FileStatus;
import io.bulkexport.state.Run;
import io.bulkexport.state.RunFile;
import io.bulkexport.state.RunStatus;
import io.bulkexport.state.StateStore;
import io.bulkexport.vendor.VendorText;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The download stage's bookkeeping ({@code routes/download-files.yaml}): which files of a run this pass fetches, each
 * attempt named and recorded, and a pass that stopped for something other than a file. Landing a file and ending the
 * run are {@link Landings}'.
 */
public class Downloads {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.runs");

    private final StateStore store;
    private final Jobs jobs;
    private final Function<JobDefinition, String> destinations;
    private final RunsInProcess inProcess;
    private final Layout layout;

    /**
     * @param destinations where a job's files land now, in words; a run keeps the one it started with
     * @param layout       the folder of a run under the sink's root; a run keeps the one it started with
     */
    public Downloads(StateStore store, Jobs jobs, Function<JobDefinition, String> destinations,
                     RunsInProcess inProcess, Layout layout) {
        this.store = store;
        this.jobs = jobs;
        this.destinations = destinations;
        this.inProcess = inProcess;
        this.layout = layout;
    }

    /** The files of the run (body: its id) still to fetch; sets the run's exchange properties. */
    public List<RunFile> pendingFiles(Exchange exchange) {
        Polls.loadRun(exchange, store, jobs);
        RunExchange on = RunExchange.of(exchange);
        String runId = on.runId();
        inProcess.add(runId);
        requireFirstDestination(on);
        Run run = store.run(runId).orElseThrow();
        JobDefinition job = on.job();
        exchange.setProperty(RunExchange.FOLDER, store.folder(runId, layout.folder(run.jobName(), run.provider(),
                job.dataset(), run.requestId(), runId, run.submittedAt() != null ? run.submittedAt()
                        : run.createdAt())));
        List<RunFile> all = store.files().of(runId);
        // where each file lands, worked out once per pass from the run's whole list (each file's exchange gets a copy)
        exchange.setProperty(RunExchange.OUTPUT_NAMES,
                SafePaths.outputNames(all.stream().map(RunFile::fileName).toList()));
        List<RunFile> pending = all.stream().filter(f -> f.status() == FileStatus.PENDING).toList();
        LOG.info("{}: fetching {} of {} file(s) of request {}", on.jobName(), pending.size(), all.size(),
                on.requestId());
        return pending;
    }

    /**
     * A run's files all land in one place: where its job wrote when the run started (recorded then). A job whose sink
     * (or output folder, bucket, prefix, compression) changed since does not spread the run over two places; its
     * download stops, resumable.
     */
    private void requireFirstDestination(RunExchange on) {
        String now = destinations.apply(on.job());
        String recorded = store.destination(on.runId(), now);
        if (!recorded.equals(now)) {
            throw new SinkRefusedException("run " + on.runId() + " started writing to " + recorded + " and its job"
                    + " now writes to " + now + "; a run's files all go to one place, so set the job's sink (and its"
                    + " settings) back to finish it there; nothing was fetched");
        }
    }

    /**
     * Before each attempt at a file (body: the {@link RunFile}): names it in property {@code fileName}, and in
     * {@code fileNameInUrl} as it goes into a URL path (each segment percent-encoded: a vendor's name is never a query
     * or an escape of ours).
     */
    public void fileAttempt(Exchange exchange) {
        RunFile file = exchange.getMessage().getBody(RunFile.class);
        if (file != null) {
            exchange.setProperty(RunExchange.FILE_NAME, file.fileName());
        }
        RunExchange on = RunExchange.of(exchange);
        String fileName = on.fileName();
        exchange.setProperty(RunExchange.FILE_NAME_IN_URL, VendorText.pathSegments(fileName));
        store.files().attempted(on.runId(), fileName);
        exchange.setProperty(Landings.FILE_STARTED, System.nanoTime());
        // where it lands, told apart from the run's other files when the pass began; a name that cannot become a path
        // inside the job's output has none, and is refused (with the reason) before anything is fetched
        Object outputName = exchange.getProperty(RunExchange.OUTPUT_NAMES, Map.class).get(fileName);
        exchange.setProperty(RunExchange.OUTPUT_NAME, outputName != null ? outputName : SafePaths.outputName(fileName));
    }

    /** This process's pass over a run has ended, one way or another. */
    public void passEnded(Exchange exchange) {
        String runId = RunExchange.of(exchange).runId();
        inProcess.remove(runId != null ? runId : String.valueOf(exchange.getMessage().getBody()));
    }

    /** Something other than a file failed while the run was downloading: it ends INCOMPLETE, resumable. */
    public void downloadFailed(Exchange exchange) {
        RunExchange on = RunExchange.of(exchange);
        Throwable cause = on.failure();
        String runId = on.runId();
        passEnded(exchange);
        String message = "download stopped: " + RunText.describe(cause) + "; files already landed are kept, and"
                + " starting the job again resumes the rest without submitting";
        if (runId != null && store.transition(runId, RunStatus.DOWNLOADING, RunStatus.INCOMPLETE, message)) {
            LOG.error("{}: INCOMPLETE — {}", on.jobName(), message);
        } else {
            LOG.error("download of run {} failed: {}", runId == null ? exchange.getMessage().getBody() : runId,
                    RunText.describe(cause));
        }
    }
}
