package io.bulkexport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulkexport.sandbox.CoresignalSandbox;
import io.bulkexport.sandbox.SandboxSettings;

/**
 * Boots the real application (routes, config, state) against sandboxes the test owns, with its own output folder
 * and state database, and reads back what landed.
 */
final class ExportHarness implements AutoCloseable {
    static final String API_KEY = "cs-test-key-5f2a9c81e7d04b";
    static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    /** The Coresignal sandbox, or null when the test talks to another provider's. */
    final CoresignalSandbox sandbox;
    final Map<String, String> overrides = new HashMap<>();
    /** Environment variables of the processes {@link #spawn} starts, beside the test JVM's own. */
    final Map<String, String> environment = new HashMap<>();
    /** Options of the JVMs {@link #spawn} starts. */
    final List<String> jvmOptions = new ArrayList<>(List.of("-Xmx256m"));
    private final List<AutoCloseable> owned = new ArrayList<>();

    /** The app against a Coresignal sandbox with these settings (and {@link #API_KEY}). */
    ExportHarness(Path dir, SandboxSettings settings) {
        this(dir, new CoresignalSandbox(settings.withApiKey(API_KEY)).start());
    }

    /** The app against another provider's sandbox, which the harness stops when closed; see {@link #set}. */
    static ExportHarness against(Path dir, AutoCloseable sandbox) {
        ExportHarness harness = new ExportHarness(dir, (CoresignalSandbox) null);
        harness.owned.add(sandbox);
        return harness;
    }

    private ExportHarness(Path dir, CoresignalSandbox coresignal) {
        System.setProperty("CORESIGNAL_API_KEY", API_KEY);
        this.dir = dir;
        this.sandbox = coresignal;
        if (coresignal != null) {
            owned.add(coresignal);
            overrides.put("bulkexport.coresignal.base-url", coresignal.baseUrl());
        }
        overrides.put("bulkexport.sandbox.enabled", "false");
        overrides.put("bulkexport.output.dir", dir.resolve("out").toString());
        overrides.put("bulkexport.state.url", "jdbc:h2:file:" + dir.resolve("state/db").toAbsolutePath() + ";WRITE_DELAY=0");
        overrides.put("bulkexport.run-mode", "once");
        // a service-mode app's HTTP servers on free ports: tests never clash with each other or a real one
        overrides.put("camel.management.port", "0");
        overrides.put("camel.server.port", "0");
        overrides.put("bulkexport.poll.interval-seconds", "0.1");
        overrides.put("bulkexport.poll.max-interval-seconds", "0.3");
        overrides.put("bulkexport.poll.tick-millis", "50");
        overrides.put("bulkexport.retry.first-delay-millis", "50");
        overrides.put("bulkexport.retry.max-delay-millis", "500");
        overrides.put("bulkexport.retry.max-retries", "4");
    }

    /** Writes a job file and selects it. */
    ExportHarness job(String name, String yaml) throws IOException {
        Path jobs = Files.createDirectories(dir.resolve("jobs"));
        Files.writeString(jobs.resolve(name + ".yaml"), yaml);
        overrides.put("bulkexport.jobs", jobs.resolve("*.yaml").toString());
        return this;
    }

    /** A Coresignal es_dsl job using the shipped example query. */
    ExportHarness esDslJob(String name) throws IOException {
        return job(name, "provider: coresignal\ndataset: employee_clean\nmethod: es_dsl\nrequest: "
                + Path.of("config/queries/coresignal-python-engineers.json").toAbsolutePath() + "\n");
    }

    ExportHarness set(String key, String value) {
        overrides.put(key, value);
        return this;
    }

    /** Runs the application to its end in once mode; returns the exit code. */
    int run() {
        return new BulkExport(overrides).run();
    }

    /**
     * Starts the application as its own process (a JVM of 256 MB, see {@link #jvmOptions}) from the project folder,
     * with these settings and the test JVM's {@code aws.*} system properties, logging to {@code name.log} in the test
     * folder. It runs the built jar when system property {@value #JAR} names one
     * ({@code -Dbulkexport.test.jar=target/bulk-export.jar}), else {@link BulkExportApp} from the test's class path.
     */
    Process spawn(String name) throws IOException {
        return spawn(name, null);
    }

    /** As {@link #spawn(String)}, but runs {@code mainClass} from the test's class path, or the app when null. */
    Process spawn(String name, Class<?> mainClass) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-DCORESIGNAL_API_KEY=" + API_KEY);
        System.getProperties().stringPropertyNames().stream().filter(key -> key.startsWith("aws."))
                .forEach(key -> command.add("-D" + key + "=" + System.getProperty(key)));
        for (Map.Entry<String, String> setting : overrides.entrySet()) {
            command.add("-D" + setting.getKey() + "=" + setting.getValue());
        }
        Path jar = mainClass == null ? builtJar() : null;
        if (jar != null) {
            command.add("-jar");
            command.add(jar.toString());
        } else {
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add((mainClass == null ? BulkExportApp.class : mainClass).getName());
        }
        ProcessBuilder process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).directory(new File("."));
        process.environment().putAll(environment);
        return process.start();
    }

    /** System property naming the runnable jar that {@link #spawn} starts instead of the test's class path. */
    static final String JAR = "bulkexport.test.jar";

    /** The jar {@value #JAR} names (relative to the project folder), or null when unset; a missing jar fails. */
    static Path builtJar() {
        String name = System.getProperty(JAR, "");
        if (name.isBlank()) {
            return null;
        }
        Path jar = Path.of(name).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(JAR + "=" + name + ": no such file (build it with mvn package)");
        }
        return jar;
    }

    /** Six files of 2,000 records of about 800 bytes: with {@link #holdDownloads} a run long enough to stop midway. */
    static SandboxSettings sixFiles() {
        return SandboxSettings.defaults().withFilesPerRequest(6).withRecordsPerFile(2000).withRecordBytes(800)
                .withReadyAfter(java.time.Duration.ZERO);
    }

    /** Holds each download of the first {@code files} files this long before answering. */
    ExportHarness holdDownloads(int files, java.time.Duration each) {
        for (int file = 0; file < files; file++) {
            sandbox.faults().onDownloadOfFile(file, io.bulkexport.sandbox.Fault.delay(each));
        }
        return this;
    }

    /** Waits, for at most a minute, until {@code count} output files have landed or the process has ended. */
    void awaitLanded(Process process, int count) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (landedNames().size() < count && process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /** Base names (no extension) of the output files landed so far, over all jobs. */
    List<String> landedNames() throws IOException {
        Path out = dir.resolve("out");
        if (!Files.isDirectory(out)) {
            return List.of();
        }
        for (int attempt = 1; ; attempt++) {
            try (Stream<Path> walk = Files.walk(out)) {
                return walk.map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(".jsonl") && !n.startsWith(".") && !n.endsWith(".quarantine.jsonl"))
                        .map(n -> n.substring(0, n.length() - ".jsonl".length())).toList();
            } catch (java.io.UncheckedIOException e) {
                // a temporary file renamed or deleted while the walk looked at it: look again
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** Base names of the files the sandbox was asked to download after a moment ({@link System#nanoTime()}). */
    List<String> fetchedSince(long nanos) {
        return sandbox.requestLog().stream()
                .filter(r -> r.kind() == io.bulkexport.sandbox.EndpointKind.DOWNLOAD && r.arrivalNanos() > nanos)
                .map(r -> r.path().replaceAll(".*/", "").replaceAll("\\.json\\.gz$", "")).toList();
    }

    /** The last 40 lines a spawned process logged. */
    String log(String name) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(name + ".log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "no log: " + e;
        }
    }

    Path requestDir(String job) throws IOException {
        try (Stream<Path> dirs = Files.list(dir.resolve("out").resolve(job))) {
            List<Path> all = dirs.toList();
            if (all.size() != 1) {
                throw new AssertionError("expected one request folder for " + job + ", found " + all);
            }
            return all.get(0);
        }
    }

    /** Every record written for a job, in file order, duplicates kept. */
    List<JsonNode> landedRecords(String job) throws IOException {
        List<JsonNode> records = new ArrayList<>();
        for (Path file : outputFiles(job)) {
            for (String line : Files.readAllLines(file)) {
                records.add(JSON.readTree(line));
            }
        }
        return records;
    }

    /** Every quarantined line of a job, as written to the quarantine files. */
    List<JsonNode> quarantined(String job) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir.resolve("out").resolve(job))) {
            for (Path file : walk.filter(p -> p.toString().endsWith(".quarantine.jsonl")).sorted().toList()) {
                for (String line : Files.readAllLines(file)) {
                    lines.add(JSON.readTree(line));
                }
            }
        }
        return lines;
    }

    /** Everything the run left on disk (state database, output, quarantine), as text to search. */
    String everythingWritten() throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                all.append(new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        return all.toString();
    }

    /** Every record id written for a job, in file order, duplicates kept (so a test can see them). */
    List<Long> landedIds(String job) throws IOException {
        List<Long> ids = new ArrayList<>();
        for (Path file : outputFiles(job)) {
            for (String line : Files.readAllLines(file)) {
                ids.add(JSON.readTree(line).get("id").asLong());
            }
        }
        return ids;
    }

    /** The output folder of one request of a job. */
    Path requestDirOf(String job, String requestId) {
        return dir.resolve("out").resolve(job).resolve(requestId);
    }

    List<Path> outputFiles(String job) throws IOException {
        try (Stream<Path> walk = Files.walk(dir.resolve("out").resolve(job))) {
            return walk.filter(p -> p.getFileName().toString().endsWith(".jsonl")
                    && !p.getFileName().toString().endsWith(".quarantine.jsonl")).sorted().toList();
        }
    }

    /** Every file under the output folder, temporary ones included. */
    List<Path> allFiles() throws IOException {
        try (Stream<Path> walk = Files.walk(dir.resolve("out"))) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** Where each vendor file of a request lands, relative to the output folder (or the bucket, without prefix). */
    List<String> outputNames(String job, String requestId) {
        return sandbox.fileNames(requestId).stream()
                .map(name -> job + "/" + requestId + "/" + io.bulkexport.sink.SafePaths.outputName(name)).toList();
    }

    /**
     * Points the application at an S3 bucket of this server, without prefix, storing uncompressed objects in parts of
     * 5 MiB (so a file of a few MB is a multipart upload), spooled under the test folder; returns the spool folder.
     */
    Path uncompressedS3(S3ProxyServer s3, String bucket) {
        Path spool = dir.resolve("spool");
        set("bulkexport.sink", "s3").set("bulkexport.s3.prefix", "").set("bulkexport.s3.compression", "none")
                .set("bulkexport.s3.part-size", "5242880").set("bulkexport.s3.spool-dir", spool.toString());
        s3.settings(bucket).forEach(this::set);
        return spool;
    }

    JsonNode manifest(String job) throws IOException {
        return JSON.readTree(requestDir(job).resolve("_manifest.json").toFile());
    }

    String onlyRequestId() {
        if (sandbox.submissions().size() != 1) {
            throw new AssertionError("expected one submission, saw " + sandbox.submissions().size());
        }
        return sandbox.submissions().get(0).requestId();
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable sandbox : owned) {
            sandbox.close();
        }
    }
}
