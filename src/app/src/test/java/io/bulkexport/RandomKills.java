package io.bulkexport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.Fault;
import io.bulkexport.sandbox.FaultQueue;
import io.bulkexport.sandbox.LoggedRequest;
import io.bulkexport.sandbox.Submission;

/**
 * Drives one export of one job through SIGKILLs at random moments, restarting the application after each one the
 * way an operator would: a restart that ends saying the run NEEDS ATTENTION (it was killed between sending the
 * submission and storing the answer) is followed by one with {@code bulkexport.attach.<job>=<the id the vendor
 * assigned>}, or {@code bulkexport.new-run=<job>} if the vendor never received the submission.
 *
 * <p>Each kill aims at a {@link Phase}: the driver waits for evidence of it (the vendor's request log and requests in
 * flight, temporary output files, unfinished uploads, landed files), waits a random jitter more, kills, and records
 * the phases the process was in at that moment, read from what was in flight just before the kill and what it left
 * behind. The jitter may carry the export past the phase aimed at: what counts is what was hit.
 *
 * <p>The vendor is slowed down so that every phase lasts: the submission is held, status checks answer "pending"
 * until {@link #killAccordingTo} makes the request ready, and files come in small chunks after pauses.
 */
final class RandomKills {
    private static final Duration PHASE_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration FINISH_TIMEOUT = Duration.ofSeconds(240);
    /** Most kills added to a plan to aim again at a phase no kill has hit (the jitter carried the export past it). */
    private static final int MAX_RETRIES = 3;

    enum Phase {
        /** The submission has reached the vendor, its answer has not come back. */
        SUBMITTING,
        /** The run is submitted and being checked, the vendor has answered "pending" only. */
        POLLING,
        /** A file's download is in flight. */
        MID_DOWNLOAD,
        /** A temporary output file (.part, or the S3 spool's) holds part of a file's records. */
        MID_WRITE,
        /** A multipart upload of a file is started and not finished. */
        MID_UPLOAD,
        /** A file landed since the start, and nothing of a next one is written or uploading yet. */
        BETWEEN_FILES;

        boolean needsReadyRequest() {
            return this != SUBMITTING && this != POLLING;
        }
    }

    /** The sink as seen from outside the process. */
    interface Output {
        /** Files landed under their final name or key, the manifest not counted. */
        int landed() throws IOException;

        /** Whether a temporary output file changed since {@code since} holds any bytes. */
        boolean partialWrittenSince(Instant since) throws IOException;

        /** Ids of the multipart uploads started and not finished (none for the file sink). */
        Set<String> unfinishedUploads();
    }

    /** How slowly the vendor sends each file: chunks of {@code chunkBytes}, each after a random pause. */
    record Pace(int chunkBytes, int minPauseMillis, int maxPauseMillis) {
    }

    /** One kill: the phase aimed at, the phases hit, when (ms after the start, of them jitter), files landed. */
    record Kill(int number, Phase aim, Set<Phase> hit, long afterMillis, long jitterMillis, int landedAtStart,
                int landedAtKill) {
        @Override
        public String toString() {
            return String.format("#%d aim %s hit %s at %d ms (+%d jitter), landed %d -> %d", number, aim, hit,
                    afterMillis, jitterMillis, landedAtStart, landedAtKill);
        }
    }

    /** A process started by the driver, and what there was when it started. */
    private record Start(Process process, String name, long nanos, Instant instant, int landed, Set<String> uploads) {
    }

    private final ExportHarness app;
    private final String job;
    private final int files;
    private final Output output;
    private final Pace pace;
    private final Random random;
    private final List<Kill> kills = new ArrayList<>();
    private final List<String> resolutions = new ArrayList<>();
    private final Map<String, String> nextStartOnly = new HashMap<>();
    private int starts;
    private boolean ready;
    private long submissionHoldMillis;

    RandomKills(ExportHarness app, String job, int files, Output output, Pace pace, Random random) {
        this.app = app;
        this.job = job;
        this.files = files;
        this.output = output;
        this.pace = pace;
        this.random = random;
    }

    /**
     * At least {@code minimum} kills (up to two more, at random): one while submitting, one or two while polling,
     * then each of {@code laterPhases} once and more of them at random (at most {@code files / 2} between files, so
     * that files remain to be killed in), in random order.
     */
    List<Phase> plan(int minimum, List<Phase> laterPhases) {
        List<Phase> plan = new ArrayList<>(List.of(Phase.SUBMITTING));
        int polling = 1 + random.nextInt(2);
        for (int i = 0; i < polling; i++) {
            plan.add(Phase.POLLING);
        }
        List<Phase> later = new ArrayList<>(laterPhases);
        int total = minimum + random.nextInt(3);
        while (plan.size() + later.size() < total) {
            Phase extra = laterPhases.get(random.nextInt(laterPhases.size()));
            if (extra != Phase.BETWEEN_FILES || Collections.frequency(later, extra) < files / 2) {
                later.add(extra);
            }
        }
        Collections.shuffle(later, random);
        plan.addAll(later);
        return plan;
    }

    /**
     * Starts the application and kills it once per phase of the plan, the request made ready when needed; a phase
     * missed and not hit yet is aimed at again (a few times at most, and between files only while files remain).
     * Every aim needs a file not landed yet, so that the export cannot end before the kill.
     */
    List<Kill> killAccordingTo(List<Phase> plan) throws Exception {
        Deque<Phase> aims = new ArrayDeque<>(plan);
        int retries = 0;
        while (!aims.isEmpty()) {
            Phase aim = aims.removeFirst();
            if (aim == Phase.BETWEEN_FILES && files - output.landed() < 2) {
                aim = Phase.MID_WRITE; // one file left: nothing to be between, and landing it ends the export
            }
            if (aim.needsReadyRequest() && !ready) {
                makeRequestReady();
            }
            Start start = awaitEvidenceOf(aim, start());
            long jitter = jitterFor(aim);
            Thread.sleep(jitter);
            killNow(start, aim, jitter);
            boolean canRecur = aim != Phase.SUBMITTING
                    && (aim != Phase.BETWEEN_FILES || files - output.landed() >= 3);
            if (!phasesHit().contains(aim) && canRecur && retries < MAX_RETRIES) {
                retries++;
                aims.addFirst(aim);
            }
        }
        return kills;
    }

    /** Starts the application with the vendor at full speed and waits for its end; returns its exit code. */
    int finish() throws Exception {
        if (!ready) {
            makeRequestReady();
        }
        app.sandbox.faults().clear();
        Start start = startProcess();
        long deadline = System.nanoTime() + FINISH_TIMEOUT.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (!start.process().waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                start.process().destroyForcibly();
                throw new AssertionError(start.name() + " did not finish within " + FINISH_TIMEOUT + ":\n"
                        + app.log(start.name()));
            }
            if (!needsAttention(start)) {
                return start.process().exitValue();
            }
            resolveLikeAUser();
            start = startProcess();
        }
    }

    List<Kill> kills() {
        return kills;
    }

    /** The phases the kills hit, all kills together. */
    Set<Phase> phasesHit() {
        Set<Phase> hit = EnumSet.noneOf(Phase.class);
        kills.forEach(kill -> hit.addAll(kill.hit()));
        return hit;
    }

    /** What the operator did after restarts that reported a run needing attention. */
    List<String> resolutions() {
        return resolutions;
    }

    // ---------------------------------------------------------------- starting and killing

    /** Starts the application with freshly queued vendor slowness (faults are used up by the requests they slow). */
    private Start start() throws IOException {
        queueVendorSlowness();
        return startProcess();
    }

    private Start startProcess() throws IOException {
        String name = "start-" + (++starts);
        Map<String, String> once = new HashMap<>(nextStartOnly);
        nextStartOnly.clear();
        once.forEach(app::set);
        int landed = output.landed();
        Set<String> uploads = output.unfinishedUploads();
        long nanos = System.nanoTime();
        Instant instant = Instant.now();
        Process process = app.spawn(name);
        once.keySet().forEach(app.overrides::remove);
        return new Start(process, name, nanos, instant, landed, uploads);
    }

    private void queueVendorSlowness() {
        FaultQueue faults = app.sandbox.faults();
        faults.clear();
        if (app.sandbox.submissions().isEmpty()) {
            submissionHoldMillis = between(1200, 2000);
            faults.onSubmit(Fault.delay(Duration.ofMillis(submissionHoldMillis)));
        }
        if (!ready) {
            for (int i = 0; i < 3; i++) {
                faults.onStatus(Fault.delay(Duration.ofMillis(between(100, 400))));
            }
            return;
        }
        for (int file = 0; file < files; file++) {
            faults.onDownloadOfFile(file, Fault.slowBody(pace.chunkBytes(),
                    Duration.ofMillis(between(pace.minPauseMillis(), pace.maxPauseMillis()))));
        }
    }

    private void makeRequestReady() {
        List<Submission> submissions = app.sandbox.submissions();
        if (submissions.size() != 1) {
            throw new AssertionError("expected one submission before the request is made ready, saw " + submissions);
        }
        app.sandbox.readyNow(submissions.get(0).requestId());
        ready = true;
    }

    private long jitterFor(Phase aim) {
        return switch (aim) {
            case SUBMITTING -> random.nextInt((int) submissionHoldMillis / 2);
            case POLLING -> random.nextInt(800);
            case MID_DOWNLOAD, MID_WRITE -> random.nextInt(300);
            case MID_UPLOAD -> random.nextInt(500);
            case BETWEEN_FILES -> random.nextInt(100);
        };
    }

    private long between(int min, int max) {
        return min + random.nextInt(max - min + 1);
    }

    /** Waits until the process shows {@code aim}; a process that ends first must be one needing attention. */
    private Start awaitEvidenceOf(Phase aim, Start start) throws Exception {
        long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
        Start current = start;
        while (!evidenceOf(aim, current)) {
            if (!current.process().isAlive()) {
                if (!needsAttention(current)) {
                    throw new AssertionError(current.name() + " ended (exit " + current.process().exitValue()
                            + ") before " + aim + ":\n" + app.log(current.name()));
                }
                resolveLikeAUser();
                current = start();
            } else if (System.nanoTime() > deadline) {
                current.process().destroyForcibly();
                throw new AssertionError("no sign of " + aim + " within " + PHASE_TIMEOUT + " in " + current.name()
                        + ":\n" + app.log(current.name()));
            }
            Thread.sleep(5);
        }
        return current;
    }

    private boolean evidenceOf(Phase aim, Start start) throws IOException {
        return switch (aim) {
            case SUBMITTING -> submissionInFlight(start);
            case POLLING -> pendingAnswerSince(start);
            case MID_DOWNLOAD -> downloadInFlight(start);
            case MID_WRITE -> output.partialWrittenSince(start.instant());
            case MID_UPLOAD -> uploadStartedSince(start);
            case BETWEEN_FILES -> fileLandedSince(start);
        };
    }

    private boolean submissionInFlight(Start start) {
        return any(since(start, app.sandbox.inFlight()), EndpointKind.SUBMIT, null);
    }

    private boolean pendingAnswerSince(Start start) {
        return any(since(start, app.sandbox.requestLog()), EndpointKind.STATUS, 202);
    }

    private boolean downloadInFlight(Start start) {
        return any(since(start, app.sandbox.inFlight()), EndpointKind.DOWNLOAD, null);
    }

    private boolean uploadStartedSince(Start start) {
        Set<String> started = new HashSet<>(output.unfinishedUploads());
        started.removeAll(start.uploads());
        return !started.isEmpty();
    }

    private boolean fileLandedSince(Start start) throws IOException {
        return output.landed() > start.landed();
    }

    /** SIGKILL, then the phases hit: from the vendor's requests just before, and what the process left behind. */
    private void killNow(Start start, Phase aim, long jitter) throws Exception {
        List<LoggedRequest> inFlight = since(start, app.sandbox.inFlight());
        List<LoggedRequest> answered = since(start, app.sandbox.requestLog());
        long afterMillis = (System.nanoTime() - start.nanos()) / 1_000_000;
        if (!start.process().isAlive()) {
            throw new AssertionError(start.name() + " ended (exit " + start.process().exitValue() + ") before kill "
                    + (kills.size() + 1) + " (" + aim + "); kills so far " + kills + ":\n" + app.log(start.name()));
        }
        start.process().destroyForcibly(); // SIGKILL: no shutdown hook, no finally block runs
        if (!start.process().waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(start.name() + " still alive 30 s after SIGKILL");
        }
        Set<Phase> hit = EnumSet.noneOf(Phase.class);
        if (any(inFlight, EndpointKind.SUBMIT, null)) {
            hit.add(Phase.SUBMITTING);
        }
        boolean downloads = any(inFlight, EndpointKind.DOWNLOAD, null) || any(answered, EndpointKind.DOWNLOAD, null);
        boolean pendingOnly = (any(answered, EndpointKind.STATUS, 202) || any(inFlight, EndpointKind.STATUS, null))
                && !any(answered, EndpointKind.STATUS, 200);
        if (pendingOnly && !downloads) {
            hit.add(Phase.POLLING);
        }
        if (any(inFlight, EndpointKind.DOWNLOAD, null)) {
            hit.add(Phase.MID_DOWNLOAD);
        }
        boolean writing = output.partialWrittenSince(start.instant());
        if (writing) {
            hit.add(Phase.MID_WRITE);
        }
        boolean uploading = uploadStartedSince(start);
        if (uploading) {
            hit.add(Phase.MID_UPLOAD);
        }
        int landed = output.landed();
        if (landed > start.landed() && landed < files && !writing && !uploading) {
            hit.add(Phase.BETWEEN_FILES);
        }
        Kill kill = new Kill(kills.size() + 1, aim, hit, afterMillis, jitter, start.landed(), landed);
        kills.add(kill);
        System.out.println("RandomKills: " + start.name() + " killed " + kill);
    }

    // ---------------------------------------------------------------- the operator

    /** Whether the process ended saying the job's run needs attention, and how to resume it. */
    private boolean needsAttention(Start ended) throws IOException {
        String log = Files.readString(app.dir.resolve(ended.name() + ".log"));
        return ended.process().exitValue() == 1 && log.contains("NEEDS_ATTENTION " + job)
                && log.contains("-Dbulkexport.attach." + job + "=");
    }

    /**
     * Looks for the request in the vendor's account, as the message says: resumes the one the vendor holds, or
     * starts a new run if it holds none. The next start only carries the setting.
     */
    private void resolveLikeAUser() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (any(app.sandbox.inFlight(), EndpointKind.SUBMIT, null) && System.nanoTime() < deadline) {
            Thread.sleep(20); // the vendor is still handling the submission of the killed process
        }
        List<Submission> seen = app.sandbox.submissions();
        if (seen.size() > 1) {
            throw new AssertionError("the vendor saw " + seen.size() + " submissions: " + seen);
        }
        if (seen.size() == 1) {
            nextStartOnly.put("bulkexport.attach." + job, seen.get(0).requestId());
            resolutions.add("start " + (starts + 1) + ": attach to " + seen.get(0).requestId());
        } else {
            nextStartOnly.put("bulkexport.new-run", job);
            resolutions.add("start " + (starts + 1) + ": new run, the vendor never received the submission");
        }
    }

    // ---------------------------------------------------------------- helpers

    private static List<LoggedRequest> since(Start start, List<LoggedRequest> requests) {
        return requests.stream().filter(r -> r.arrivalNanos() > start.nanos()).toList();
    }

    /** Whether a request of this kind is among them, with this status (any when null). */
    private static boolean any(List<LoggedRequest> requests, EndpointKind kind, Integer status) {
        return requests.stream().anyMatch(r -> r.kind() == kind && (status == null || r.status() == status));
    }

    /** Whether a temporary file ({@code .*.part}) under {@code dir}, changed since {@code since}, holds bytes. */
    static boolean partFileWrittenSince(Path dir, Instant since) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.anyMatch(file -> {
                String name = file.getFileName().toString();
                try {
                    return name.startsWith(".") && name.endsWith(".part") && Files.size(file) > 0
                            && Files.getLastModifiedTime(file).toInstant().isAfter(since);
                } catch (IOException gone) {
                    return false; // renamed or deleted while looking
                }
            });
        } catch (java.io.UncheckedIOException gone) {
            return false; // a folder changed while walking it
        }
    }
}
