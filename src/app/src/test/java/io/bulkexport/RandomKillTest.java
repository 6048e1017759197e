package io.bulkexport;

import static io.bulkexport.RandomKills.Phase.BETWEEN_FILES;
import static io.bulkexport.RandomKills.Phase.MID_DOWNLOAD;
import static io.bulkexport.RandomKills.Phase.MID_UPLOAD;
import static io.bulkexport.RandomKills.Phase.MID_WRITE;
import static io.bulkexport.RandomKills.Phase.POLLING;
import static io.bulkexport.RandomKills.Phase.SUBMITTING;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulkexport.RandomKills.Pace;
import io.bulkexport.RandomKills.Phase;
import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.SandboxSettings;
import io.bulkexport.sink.FileSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise: the application as its own process, killed with SIGKILL at least ten times at random moments of one
 * multi-file export — while submitting, while polling, mid-download, mid-write, mid-upload (S3), between files — and
 * started again after each kill, ends with exactly the records the vendor served, each once, from the one submission
 * the vendor saw, and leaves no temporary or partial file, spool file, object or multipart upload.
 *
 * <p>Files are fetched one at a time ({@code bulkexport.download.parallelism=1}) so that each kill's phase is plain;
 * {@link CrashRecoveryTest} kills with two files in flight. Every random choice (number and order of the kills,
 * jitters, the vendor's pauses) comes from one seed, printed in the test's output and in any failure:
 * {@code -Dbulkexport.test.seed=N} replays it. {@code -Dbulkexport.test.jar=target/bulk-export.jar} kills the built
 * jar instead of the classes (as {@code .ci/run} does).
 */
class RandomKillTest {
    static final String JOB = "engineers";
    static final int MIN_KILLS = 10;
    static final String BUCKET = "kill-lake";

    @TempDir
    Path dir;

    @Test
    void should_export_exactly_once_to_files_through_random_kills() throws Exception {
        long seed = seed();
        // 8 files of 2,000 records of about 800 bytes (about 235 KB gzipped each), sent in 16 KB chunks
        SandboxSettings settings = SandboxSettings.defaults().withFilesPerRequest(8).withRecordsPerFile(2000)
                .withRecordBytes(800).withReadyAfter(Duration.ofHours(1));
        try (ExportHarness app = new ExportHarness(dir, settings).esDslJob(JOB)) {
            shortLivedProcesses(app);
            Path out = dir.resolve("out");
            RandomKills.Output files = new RandomKills.Output() {
                public int landed() throws IOException {
                    return app.landedNames().size();
                }

                public boolean partialWrittenSince(Instant since) throws IOException {
                    return RandomKills.partFileWrittenSince(out, since);
                }

                public Set<String> unfinishedUploads() {
                    return Set.of();
                }
            };
            RandomKills kills = new RandomKills(app, JOB, 8, files, new Pace(16 * 1024, 60, 120), new Random(seed));
            replayable(seed, kills, () -> {
                kills.killAccordingTo(kills.plan(MIN_KILLS, List.of(MID_DOWNLOAD, MID_WRITE, BETWEEN_FILES)));
                assertThat(kills.finish()).as("exit code of the last start").isEqualTo(0);
                assertKilledInEveryPhase(kills, SUBMITTING, POLLING, MID_DOWNLOAD, MID_WRITE, BETWEEN_FILES);

                String requestId = assertOneSubmission(app);
                List<Long> served = app.sandbox.expectedRecordIds(requestId);
                assertThat(app.landedIds(JOB)).as("records landed").hasSize(served.size()).doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(served);
                List<String> fileNames = app.outputNames(JOB, requestId);
                List<String> expected = new ArrayList<>(fileNames);
                expected.add(JOB + "/" + requestId + "/" + FileSink.MANIFEST);
                assertThat(app.allFiles().stream().map(file -> out.relativize(file).toString()))
                        .as("every file under the output folder: one per vendor file, the manifest, nothing temporary")
                        .containsExactlyInAnyOrderElementsOf(expected);
                Path request = app.requestDir(JOB);
                assertManifestDescribes(app.manifest(JOB), requestId, served.size(), "path",
                        fileNames.stream().map(name -> request.relativize(out.resolve(name)).toString()).toList(),
                        path -> Files.readAllBytes(request.resolve(path)));
            });
        }
    }

    @Test
    void should_export_exactly_once_to_s3_through_random_kills() throws Exception {
        long seed = seed();
        // 5 files of 5,500 records of about 1,000 bytes: 5.5 MB uncompressed, uploaded in two parts (5 MiB and the
        // rest), each held 600 ms by the store; sent by the vendor in 64 KB chunks (about 880 KB gzipped)
        SandboxSettings settings = SandboxSettings.defaults().withFilesPerRequest(5).withRecordsPerFile(5500)
                .withRecordBytes(1000).withReadyAfter(Duration.ofHours(1));
        try (S3ProxyServer s3 = new S3ProxyServer(dir, Duration.ofMillis(600)).createBucket(BUCKET);
             ExportHarness app = new ExportHarness(dir, settings).esDslJob(JOB)) {
            Path spool = app.uncompressedS3(s3, BUCKET);
            shortLivedProcesses(app);
            RandomKills.Output objects = new RandomKills.Output() {
                public int landed() {
                    return (int) s3.keys(BUCKET, JOB + "/").stream().filter(key -> !key.endsWith("/_manifest.json"))
                            .count();
                }

                public boolean partialWrittenSince(Instant since) throws IOException {
                    return RandomKills.partFileWrittenSince(spool, since);
                }

                public Set<String> unfinishedUploads() {
                    return s3.unfinishedUploadIds(BUCKET);
                }
            };
            RandomKills kills = new RandomKills(app, JOB, 5, objects, new Pace(64 * 1024, 60, 120), new Random(seed));
            replayable(seed, kills, () -> {
                kills.killAccordingTo(kills.plan(MIN_KILLS,
                        List.of(MID_DOWNLOAD, MID_WRITE, MID_UPLOAD, BETWEEN_FILES)));
                assertThat(kills.finish()).as("exit code of the last start").isEqualTo(0);
                assertKilledInEveryPhase(kills, SUBMITTING, POLLING, MID_DOWNLOAD, MID_WRITE, MID_UPLOAD,
                        BETWEEN_FILES);

                String requestId = assertOneSubmission(app);
                List<Long> served = app.sandbox.expectedRecordIds(requestId);
                List<String> fileKeys = app.outputNames(JOB, requestId);
                List<String> expected = new ArrayList<>(fileKeys);
                expected.add(JOB + "/" + requestId + "/_manifest.json");
                assertThat(s3.keys(BUCKET, "")).as("objects: one per vendor file, and the manifest")
                        .containsExactlyInAnyOrderElementsOf(expected);
                assertThat(s3.recordIds(BUCKET, fileKeys)).as("records landed").hasSize(served.size())
                        .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(served);
                assertThat(s3.unfinishedUploads(BUCKET)).as("unfinished multipart uploads").isEmpty();
                try (Stream<Path> left = Files.walk(spool)) {
                    assertThat(left.filter(Files::isRegularFile)).as("files left in the spool").isEmpty();
                }
                assertManifestDescribes(ExportHarness.JSON.readTree(s3.read(BUCKET, JOB + "/" + requestId
                        + "/_manifest.json")), requestId, served.size(), "key", fileKeys, key -> s3.read(BUCKET, key));
            });
        }
    }

    /**
     * One file at a time, so that each kill's phase is plain; and the JVM's quick compiler only, which halves the CPU
     * a start costs (most processes here live for seconds).
     */
    private static void shortLivedProcesses(ExportHarness app) {
        app.set("bulkexport.download.parallelism", "1");
        app.jvmOptions.add("-XX:TieredStopAtLevel=1");
    }

    /** The seed of this run's random choices: {@code -Dbulkexport.test.seed}, else a new one. */
    private static long seed() {
        return Long.getLong("bulkexport.test.seed", new Random().nextLong());
    }

    private interface Body {
        void run() throws Exception;
    }

    /** Runs the test's body; prints the seed, the kills and the time taken, and names the seed in any failure. */
    private static void replayable(long seed, RandomKills kills, Body body) throws Exception {
        String replay = "seed " + seed + " (replay: -Dbulkexport.test.seed=" + seed + ")";
        Path jar = ExportHarness.builtJar();
        System.out.println("RandomKillTest: " + replay + ", application from "
                + (jar == null ? "the test class path" : jar));
        long started = System.nanoTime();
        try {
            body.run();
        } catch (Exception | AssertionError e) {
            throw new AssertionError(replay + " failed after kills " + kills.kills() + ", resolutions "
                    + kills.resolutions() + ": " + e.getMessage(), e);
        } finally {
            System.out.printf("RandomKillTest: %s: %d kills, %d s in all; resolutions %s; kills:%n  %s%n", replay,
                    kills.kills().size(), (System.nanoTime() - started) / 1_000_000_000, kills.resolutions(),
                    String.join("\n  ", kills.kills().stream().map(Object::toString).toList()));
        }
    }

    private static void assertKilledInEveryPhase(RandomKills kills, Phase... phases) {
        assertThat(kills.kills()).as("kills").hasSizeGreaterThanOrEqualTo(MIN_KILLS);
        assertThat(kills.phasesHit()).as("phases the kills hit").contains(phases);
    }

    private interface Stored {
        byte[] bytes(String location) throws IOException;
    }

    /**
     * The manifest names the request, counts its records, and lists each file at its location ({@code field}) with the
     * SHA-256 of the bytes stored there.
     */
    private static void assertManifestDescribes(JsonNode manifest, String requestId, long records, String field,
                                                List<String> locations, Stored stored) throws Exception {
        assertThat(manifest.get("request_id").asText()).isEqualTo(requestId);
        assertThat(manifest.get("records").asLong()).as("records in the manifest").isEqualTo(records);
        List<String> listed = new ArrayList<>();
        for (JsonNode file : manifest.get("files")) {
            String location = file.get(field).asText();
            listed.add(location);
            assertThat(file.get("sha256").asText()).as("SHA-256 of " + location)
                    .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(stored.bytes(location))));
        }
        assertThat(listed).as("files in the manifest").containsExactlyInAnyOrderElementsOf(locations);
    }

    /** The vendor saw exactly one submission (and one submit call); returns its request id. */
    private static String assertOneSubmission(ExportHarness app) {
        assertThat(app.sandbox.requestLog()).as("submit calls the vendor answered")
                .filteredOn(r -> r.kind() == EndpointKind.SUBMIT).hasSize(1);
        return app.onlyRequestId();
    }
}
