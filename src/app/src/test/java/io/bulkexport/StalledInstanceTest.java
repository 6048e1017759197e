package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulkexport.sandbox.Fault;
import io.bulkexport.sandbox.SandboxSettings;
import io.bulkexport.state.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Split brain, as lease-based clusters meet it: two instances on one PostgreSQL export one run; the instance fetching
 * its slow file is frozen (SIGSTOP) past its lease, the other takes the file over and lands it, then the frozen one
 * is thawed (SIGCONT) and finishes its stale attempt. Whatever it does then, a reader polling the output never sees
 * an incomplete file under a final name, the manifest describes every file as it is (records, bytes, SHA-256), every
 * record lands exactly once and the request is paid once — also when the instance that took over is killed right
 * after the thawed one has stopped, and for the S3 sink.
 */
class StalledInstanceTest {
    private static final int FILES = 4;
    private static final int RECORDS = 3000;
    /** The file whose download is slow, so that its instance can be frozen in the middle of it. */
    private static final int SLOW_FILE = 2;
    private static final String JOB = "stalled";
    private static final String BUCKET = "stall-lake";

    @TempDir
    Path dir;

    @Test
    void a_thawed_instance_publishes_nothing_of_a_file_taken_over_while_it_was_frozen() throws Exception {
        stallAndThaw(false, false);
    }

    @Test
    void nothing_a_thawed_instance_did_needs_the_instance_that_took_over_to_repair_it() throws Exception {
        stallAndThaw(true, false);
    }

    @Test
    void a_thawed_instance_completes_no_upload_of_a_file_taken_over_while_it_was_frozen() throws Exception {
        stallAndThaw(true, true);
    }

    private void stallAndThaw(boolean killTaker, boolean s3) throws Exception {
        Optional<Path> bin = PostgresServer.binaries();
        assumeTrue(bin.isPresent() || System.getenv("BULKEXPORT_REQUIRE_POSTGRES") != null,
                "PostgreSQL is not installed");
        try (PostgresServer postgres = PostgresServer.start(bin.orElseThrow());
             S3ProxyServer bucket = s3 ? new S3ProxyServer(dir, Duration.ZERO).createBucket(BUCKET) : null;
             ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults().withFilesPerRequest(FILES)
                     .withRecordsPerFile(RECORDS).withRecordBytes(600).withReadyAfter(Duration.ofSeconds(1)))) {
            String url = postgres.createDatabase("stall");
            // the slow file comes in small chunks for about 10 s, to the instance that is frozen in the middle of it
            // and again to the one that takes it over: the stale attempt ends while the taker's is under way
            for (int fetch = 0; fetch < 2; fetch++) {
                app.sandbox.faults().onDownloadOfFile(SLOW_FILE, Fault.slowBody(8 * 1024, Duration.ofMillis(150)));
            }
            app.esDslJob(JOB).set("bulkexport.state.url", url).set("bulkexport.run-mode", "service")
                    .set("bulkexport.instance.lease-seconds", "3").set("bulkexport.instance.heartbeat-millis", "300")
                    .set("bulkexport.download.parallelism", "1");
            if (s3) {
                app.uncompressedS3(bucket, BUCKET);
            }
            Reader reader = s3 ? new ObjectReader(bucket) : new FileReader(dir.resolve("out"));
            Thread readerThread = new Thread(reader, "reader");
            readerThread.setDaemon(true);
            readerThread.start();

            Map<String, Process> instances = new HashMap<>();
            try {
                stallAndThaw(app, url, instances, reader, readerThread, killTaker, s3, bucket);
            } finally {
                // whatever failed, no instance outlives the test (a frozen one is thawed to be killed)
                for (Process instance : instances.values()) {
                    if (instance.isAlive()) {
                        Cluster.signal("CONT", instance);
                        instance.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                }
                reader.stop();
            }
        }
    }

    private void stallAndThaw(ExportHarness app, String url, Map<String, Process> instances, Reader reader,
                              Thread readerThread, boolean killTaker, boolean s3, S3ProxyServer bucket)
            throws Exception {
        // b starts once a has stored its submission: two JVMs starting at once on a small machine can take
        // longer than these short leases, and b would rightly take a's unanswered submission for a dead one's
        app.set("bulkexport.instance.id", "a");
        instances.put("a", app.spawn("a"));
        Cluster.await(() -> "SUBMITTED".equals(runStatus(url)) || "DOWNLOADING".equals(runStatus(url)) ? "stored" : null,
                Duration.ofSeconds(60), "a's submission", app, "a", "b");
        String requestId = app.onlyRequestId();
        app.set("bulkexport.instance.id", "b");
        instances.put("b", app.spawn("b"));
        Cluster.await(() -> "2".equals(Cluster.single(url, "SELECT COUNT(*) FROM bulkexport_instance")) ? "both" : null,
                Duration.ofSeconds(60), "b's registration", app, "a", "b");
        String slowName = app.sandbox.fileNames(requestId).get(SLOW_FILE);
        String frozen = Cluster.await(() -> claimOf(url, slowName), Duration.ofSeconds(60), "the slow file's claim", app, "a", "b");
        String taker = frozen.equals("a") ? "b" : "a";
        Thread.sleep(4000); // about halfway through the slow file
        Cluster.signal("STOP", instances.get(frozen));
        Cluster.await(() -> taker.equals(claimOf(url, slowName)) ? taker : null, Duration.ofSeconds(30),
                "the slow file taken over by " + taker, app, "a", "b");
        Thread.sleep(2500); // the taker's attempt is under way
        Cluster.signal("CONT", instances.get(frozen));
        Thread.sleep(8000); // time enough for the stale attempt to reach its end
        instances.get(frozen).destroy();
        assertThat(instances.get(frozen).waitFor(60, TimeUnit.SECONDS)).isTrue();
        if (killTaker) {
            instances.get(taker).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Thread.sleep(3500); // its lease runs out: a last instance, alone, finishes what is left
            app.set("bulkexport.instance.id", "last").set("bulkexport.run-mode", "once");
            Process last = app.spawn("last");
            instances.put("last", last);
            assertThat(last.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(last.exitValue()).as(app.log("last")).isZero();
        } else {
            Cluster.await(() -> "DONE".equals(runStatus(url)) ? "done" : null, Duration.ofSeconds(60), "the run", app, "a", "b");
            instances.get(taker).destroy();
            assertThat(instances.get(taker).waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        reader.stop();
        readerThread.join(10_000);
        assertThat(runStatus(url)).isEqualTo("DONE");

        assertThat(reader.violations()).as("incomplete files seen under a final name").isEmpty();
        assertThat(reader.checks()).as("files the reader checked").isGreaterThan(0);
        assertThat(app.sandbox.submissions()).as("submissions").hasSize(1);
        Function<String, byte[]> content;
        List<String> names = app.outputNames(JOB, requestId);
        JsonNode manifest;
        if (s3) {
            content = key -> bucket.read(BUCKET, key);
            manifest = ExportHarness.JSON.readTree(bucket.read(BUCKET, JOB + "/" + requestId + "/_manifest.json"));
            assertThat(bucket.keys(BUCKET, "")).hasSize(FILES + 1);
        } else {
            Path out = dir.resolve("out");
            content = name -> read(out.resolve(name));
            manifest = app.manifest(JOB);
            try (Stream<Path> all = Files.walk(out)) {
                assertThat(all.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                        .filter(n -> n.startsWith("."))).as("temporary files left").isEmpty();
            }
        }
        List<Long> ids = new ArrayList<>();
        for (String name : names) {
            for (String line : new String(content.apply(name), StandardCharsets.UTF_8).lines().toList()) {
                ids.add(ExportHarness.JSON.readTree(line).get("id").asLong());
            }
        }
        assertThat(ids).as("every record exactly once").hasSize(FILES * RECORDS).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(app.sandbox.expectedRecordIds(requestId));
        assertThat(manifest.get("records").asLong()).isEqualTo(FILES * RECORDS);
        assertThat(manifest.get("files")).hasSize(FILES);
        for (JsonNode entry : manifest.get("files")) {
            String location = s3 ? entry.get("key").asText()
                    : JOB + "/" + requestId + "/" + entry.get("path").asText();
            byte[] bytes = content.apply(location);
            assertThat(sha256(bytes)).as("SHA-256 of " + location).isEqualTo(entry.get("sha256").asText());
            assertThat((long) bytes.length).as("bytes of " + location).isEqualTo(entry.get("bytes").asLong());
            assertThat(new String(bytes, StandardCharsets.UTF_8).lines().count()).as("records of " + location)
                    .isEqualTo(entry.get("records").asLong());
        }
        String frozenLog = Files.readString(dir.resolve(frozen + ".log"));
        assertThat(frozenLog).as("the thawed instance says it lost its claim").contains("superseded");
    }

    private static String claimOf(String url, String fileName) throws SQLException {
        return Cluster.single(url, "SELECT claimed_by FROM bulkexport_file WHERE file_name = '" + fileName.replace("'", "''")
                + "'");
    }

    private static String runStatus(String url) throws SQLException {
        return Cluster.single(url, "SELECT status FROM bulkexport_run");
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /**
     * Polls the output as a downstream reader would, checking each file that appears or changes under a final name:
     * it must hold exactly the records of a vendor file, each a whole line, and no NUL byte.
     */
    private abstract static class Reader implements Runnable {
        private final List<String> violations = new CopyOnWriteArrayList<>();
        private final Map<String, String> seen = new HashMap<>();
        private volatile boolean running = true;
        private volatile int checks;

        /** The output's final-named record files, each with a version tag that changes when its content may have. */
        abstract Map<String, String> versions() throws Exception;

        abstract byte[] content(String name) throws Exception;

        @Override
        public void run() {
            while (running) {
                try {
                    for (Map.Entry<String, String> file : versions().entrySet()) {
                        if (file.getValue().equals(seen.put(file.getKey(), file.getValue()))) {
                            continue;
                        }
                        check(file.getKey(), content(file.getKey()));
                    }
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // a file renamed away while listed: looked at again next time
                }
            }
        }

        private void check(String name, byte[] bytes) {
            checks++;
            long lines = 0;
            for (byte b : bytes) {
                if (b == 0) {
                    violations.add(name + ": NUL bytes");
                    return;
                }
                if (b == '\n') {
                    lines++;
                }
            }
            if (lines != RECORDS || bytes[bytes.length - 1] != '\n') {
                violations.add(name + ": " + lines + " whole lines of " + bytes.length + " bytes");
            }
        }

        void stop() {
            running = false;
        }

        List<String> violations() {
            return violations;
        }

        int checks() {
            return checks;
        }
    }

    private static final class FileReader extends Reader {
        private final Path out;

        FileReader(Path out) {
            this.out = out;
        }

        @Override
        Map<String, String> versions() throws IOException {
            Map<String, String> versions = new HashMap<>();
            if (!Files.isDirectory(out)) {
                return versions;
            }
            try (Stream<Path> walk = Files.walk(out)) {
                for (Path file : walk.filter(Files::isRegularFile).toList()) {
                    String name = file.getFileName().toString();
                    if (!name.startsWith(".") && name.endsWith(".jsonl") && !name.endsWith(".quarantine.jsonl")) {
                        versions.put(file.toString(), Files.size(file) + "@" + Files.getLastModifiedTime(file)
                                + "#" + Files.getAttribute(file, "unix:ino"));
                    }
                }
            }
            return versions;
        }

        @Override
        byte[] content(String name) throws IOException {
            return Files.readAllBytes(Path.of(name));
        }
    }

    private static final class ObjectReader extends Reader {
        private final S3ProxyServer s3;

        ObjectReader(S3ProxyServer s3) {
            this.s3 = s3;
        }

        @Override
        Map<String, String> versions() {
            Map<String, String> versions = new HashMap<>();
            for (String key : s3.keys(BUCKET, "")) {
                if (key.endsWith(".jsonl") && !key.endsWith(".quarantine.jsonl")) {
                    versions.put(key, s3.etag(BUCKET, key));
                }
            }
            return versions;
        }

        @Override
        byte[] content(String key) {
            return s3.read(BUCKET, key);
        }
    }
}
