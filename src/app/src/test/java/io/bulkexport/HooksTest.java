package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.SandboxSettings;
import io.bulkexport.state.PostgresServer;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hook routes, as a user edits them: a routes folder holding only an edited {@code hooks.yaml}. One event per
 * landed file and one per run, with the counts and locations of what landed; a hook that fails is tried again and
 * delivers once; an event a process could not deliver is delivered at the next start, and nothing lands twice.
 */
class HooksTest {
    @TempDir
    Path dir;

    /** What a test's hook bean was called with (the bodies), and how many calls it is to refuse first. */
    static final List<String> RECEIVED = new CopyOnWriteArrayList<>();
    static final AtomicInteger REFUSE = new AtomicInteger();

    @BeforeEach
    void reset() {
        RECEIVED.clear();
        REFUSE.set(0);
    }

    /** A hook of the test's: refuses while {@link #REFUSE} says so, then keeps the event. */
    public static class RecordingHook {
        public void receive(Exchange exchange) {
            if (REFUSE.getAndDecrement() > 0) {
                throw new IllegalStateException("the receiver is down");
            }
            RECEIVED.add(exchange.getMessage().getBody(String.class));
        }
    }

    private ExportHarness app() throws Exception {
        ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults().withFilesPerRequest(3)
                .withRecordsPerFile(100).withReadyAfter(Duration.ZERO));
        return app.esDslJob("hooked").set("bulkexport.routes.dir", dir.resolve("routes").toString())
                .set("bulkexport.hooks.poll-millis", "100").set("bulkexport.hooks.first-delay-millis", "200");
    }

    private void hooks(String fileLandedSteps, String runLandedSteps) throws Exception {
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("routes/hooks.yaml"), "- route:\n    id: file-landed\n    from:\n"
                + "      uri: direct:file-landed\n      steps:\n" + fileLandedSteps
                + "- route:\n    id: run-landed\n    from:\n      uri: direct:run-landed\n      steps:\n"
                + runLandedSteps);
    }

    @Test
    void an_edited_hooks_file_gets_one_event_per_landed_file_and_one_per_run() throws Exception {
        Path events = dir.resolve("events");
        String toFile = "        - to: \"file:" + events + "?fileName=${header.BulkExportEvent}-${header.BulkExportEventId}"
                + ".json\"\n";
        hooks(toFile, toFile);
        try (ExportHarness app = app()) {
            assertThat(app.run()).isZero();
            String requestId = app.onlyRequestId();
            List<JsonNode> files = read(events, "file-landed");
            List<JsonNode> runs = read(events, "run-landed");
            assertThat(files).hasSize(3);
            assertThat(runs).hasSize(1);
            long records = 0;
            for (JsonNode event : files) {
                assertThat(event.path("job").asText()).isEqualTo("hooked");
                assertThat(event.path("provider").asText()).isEqualTo("coresignal");
                assertThat(event.path("dataset").asText()).isEqualTo("employee_clean");
                assertThat(event.path("requestId").asText()).isEqualTo(requestId);
                Path landed = Path.of(event.path("location").asText());
                assertThat(landed).startsWith(app.requestDir("hooked")).exists();
                assertThat(Files.readAllLines(landed)).hasSize(event.path("records").asInt());
                assertThat(event.path("sha256").asText()).hasSize(64);
                records += event.path("records").asLong();
            }
            assertThat(files.stream().map(e -> e.path("eventId").asText()).distinct()).hasSize(3);
            JsonNode run = runs.get(0);
            assertThat(run.path("status").asText()).isEqualTo("DONE");
            assertThat(run.path("files").asInt()).isEqualTo(3);
            assertThat(run.path("records").asLong()).isEqualTo(records).isEqualTo(300);
            assertThat(run.path("location").asText()).isEqualTo(app.requestDir("hooked").toString());

            // a second start has nothing to tell: every event was delivered once
            assertThat(app.run()).isZero();
            assertThat(read(events, "file-landed")).hasSize(3);
            assertThat(read(events, "run-landed")).hasSize(1);
        }
    }

    @Test
    void a_failing_hook_is_tried_again_and_an_undelivered_event_is_delivered_at_the_next_start() throws Exception {
        String bean = "        - bean:\n            beanType: " + RecordingHook.class.getName() + "\n"
                + "            method: receive\n";
        hooks(bean, bean);
        try (ExportHarness app = app()) {
            // the receiver is down for the whole first run: the files and the run land all the same
            REFUSE.set(Integer.MAX_VALUE);
            assertThat(app.run()).isZero();
            assertThat(RECEIVED).isEmpty();
            List<Path> landed = app.outputFiles("hooked");
            List<Long> modified = new ArrayList<>();
            for (Path file : landed) {
                modified.add(Files.getLastModifiedTime(file).toMillis());
            }
            int downloads = app.sandbox.requestLog().stream().filter(r -> r.kind() == EndpointKind.DOWNLOAD)
                    .toList().size();

            // back, but refusing twice more: the next start delivers every event once, tried again after refusals
            REFUSE.set(2);
            app.set("bulkexport.run-mode", "service");
            BulkExport export = new BulkExport(app.overrides);
            Thread service = new Thread(export::run);
            service.start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> RECEIVED.size() == 4);
                Thread.sleep(1000); // nothing more arrives
            } finally {
                export.stop();
                service.join(30_000);
            }
            assertThat(RECEIVED).hasSize(4);
            assertThat(RECEIVED.stream().map(HooksTest::json).map(e -> e.path("eventId").asText()).distinct())
                    .hasSize(4);
            assertThat(app.sandbox.requestLog().stream().filter(r -> r.kind() == EndpointKind.DOWNLOAD).toList())
                    .as("nothing fetched again").hasSize(downloads);
            assertThat(app.outputFiles("hooked")).isEqualTo(landed);
            for (int i = 0; i < landed.size(); i++) {
                assertThat(Files.getLastModifiedTime(landed.get(i)).toMillis()).as("not landed again")
                        .isEqualTo(modified.get(i));
            }
            assertThat(app.sandbox.submissions()).hasSize(1);
        }
    }

    @Test
    void a_process_killed_while_its_hooks_run_has_every_event_delivered_by_the_next_start() throws Exception {
        Path events = dir.resolve("events");
        // each hook call takes a while, so the process is killed with events landed and not yet told
        String slowToFile = "        - delay:\n            constant: 1500\n"
                + "        - to: \"file:" + events + "?fileName=${header.BulkExportEvent}-${header.BulkExportEventId}"
                + ".json\"\n";
        hooks(slowToFile, slowToFile);
        try (ExportHarness app = app()) {
            Process first = app.spawn("first");
            app.awaitLanded(first, 3);
            Thread.sleep(300); // the run is ending; the first hook call is under way
            first.destroyForcibly().waitFor();
            assertThat(read(events, "file-landed").size() + read(events, "run-landed").size())
                    .as("killed before every event was told").isLessThan(4);
            int downloads = app.sandbox.requestLog().stream().filter(r -> r.kind() == EndpointKind.DOWNLOAD)
                    .toList().size();

            Process second = app.spawn("second");
            assertThat(second.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).as(app.log("second")).isZero();
            // at least once: each event told, under its own id (a repeat would overwrite its own file)
            assertThat(read(events, "file-landed")).hasSize(3);
            assertThat(read(events, "run-landed")).hasSize(1)
                    .allSatisfy(run -> assertThat(run.path("records").asLong()).isEqualTo(300));
            assertThat(app.sandbox.requestLog().stream().filter(r -> r.kind() == EndpointKind.DOWNLOAD).toList())
                    .as("nothing fetched again").hasSize(downloads);
            assertThat(app.sandbox.submissions()).hasSize(1);
        }
    }

    @Test
    void events_a_frozen_instance_was_delivering_are_delivered_by_another_and_none_is_left_due() throws Exception {
        java.util.Optional<Path> bin = PostgresServer.binaries();
        org.junit.jupiter.api.Assumptions.assumeTrue(bin.isPresent()
                || System.getenv("BULKEXPORT_REQUIRE_POSTGRES") != null, "PostgreSQL is not installed");
        Path events = dir.resolve("events");
        // each call takes 3 s and its file names the instance that made it; a claim lasts far longer than a lease,
        // so only the lease of a frozen instance can free what it claimed
        String slowToFile = "        - delay:\n            constant: 3000\n"
                + "        - to: \"file:" + events + "?fileName=${header.BulkExportEvent}-${header.BulkExportEventId}"
                + "-{{bulkexport.instance.id}}.json\"\n";
        hooks(slowToFile, slowToFile);
        try (PostgresServer postgres = PostgresServer.start(bin.orElseThrow()); ExportHarness app = app()) {
            String url = postgres.createDatabase("hooks");
            app.set("bulkexport.state.url", url).set("bulkexport.run-mode", "service")
                    .set("bulkexport.instance.lease-seconds", "3").set("bulkexport.instance.heartbeat-millis", "300")
                    .set("bulkexport.hooks.claim-seconds", "600");
            java.util.Map<String, Process> instances = new java.util.HashMap<>();
            try {
                app.set("bulkexport.instance.id", "a");
                instances.put("a", app.spawn("a"));
                Cluster.await(() -> Cluster.single(url, "SELECT request_id FROM bulkexport_run"),
                        Duration.ofSeconds(60), "a's submission", app, "a");
                app.set("bulkexport.instance.id", "b");
                instances.put("b", app.spawn("b"));
                Cluster.await(() -> "2".equals(Cluster.single(url, "SELECT COUNT(*) FROM bulkexport_instance"))
                        ? "both" : null, Duration.ofSeconds(60), "b's registration", app, "a", "b");
                String frozen = Cluster.await(() -> Cluster.single(url, "SELECT hook_by FROM bulkexport_file"
                        + " WHERE hook_by IS NOT NULL"), Duration.ofSeconds(60), "a claimed event", app, "a", "b");
                String taker = frozen.equals("a") ? "b" : "a";
                Cluster.signal("STOP", instances.get(frozen));
                List<String> held = new ArrayList<>();
                for (String file : app.sandbox.fileNames(app.onlyRequestId())) {
                    if (frozen.equals(Cluster.single(url, "SELECT hook_by FROM bulkexport_file WHERE file_name = '"
                            + file + "'"))) {
                        held.add(file);
                    }
                }
                // the frozen instance's lease runs out; the other delivers every event, those it held included
                Cluster.await(() -> "0".equals(Cluster.single(url, "SELECT (SELECT COUNT(*) FROM bulkexport_file"
                        + " WHERE hook_at IS NOT NULL) + (SELECT COUNT(*) FROM bulkexport_run WHERE hook_at IS NOT"
                        + " NULL OR status <> 'DONE')")) ? "delivered" : null, Duration.ofSeconds(90),
                        "every event delivered while " + frozen + " is frozen", app, "a", "b");
                Cluster.signal("CONT", instances.get(frozen));
                Thread.sleep(5000); // its call ends, and it marks the event it had claimed
                for (Process instance : instances.values()) {
                    instance.destroy();
                    assertThat(instance.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                }
                assertThat(Cluster.single(url, "SELECT (SELECT COUNT(*) FROM bulkexport_file WHERE hook_at IS NOT"
                        + " NULL) + (SELECT COUNT(*) FROM bulkexport_run WHERE hook_at IS NOT NULL)"))
                        .as("the thawed instance's late mark left nothing due, and undid nothing").isEqualTo("0");
                // at least once: each event told under its own id, by the taker for those the frozen one held
                List<JsonNode> told = read(events, "file-landed");
                assertThat(told.stream().map(e -> e.path("eventId").asText()).distinct()).hasSize(3);
                assertThat(read(events, "run-landed").stream().map(e -> e.path("eventId").asText()).distinct())
                        .hasSize(1);
                assertThat(held).as("the frozen instance held an event").isNotEmpty();
                try (Stream<Path> files = Files.list(events)) {
                    List<String> byTaker = files.map(f -> f.getFileName().toString())
                            .filter(name -> name.endsWith("-" + taker + ".json")).toList();
                    for (String file : held) {
                        assertThat(told).filteredOn(e -> e.path("file").asText().equals(file)).isNotEmpty();
                        assertThat(byTaker).as(file + " told by " + taker).anyMatch(name -> told.stream().anyMatch(
                                e -> e.path("file").asText().equals(file)
                                        && name.contains(e.path("eventId").asText())));
                    }
                }
                assertThat(app.sandbox.submissions()).hasSize(1);
            } finally {
                for (Process instance : instances.values()) {
                    if (instance.isAlive()) {
                        Cluster.signal("CONT", instance);
                        instance.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                    }
                }
            }
        }
    }

    private static List<JsonNode> read(Path events, String kind) throws Exception {
        if (!Files.isDirectory(events)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(events)) {
            List<JsonNode> found = new ArrayList<>();
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(kind + "-")).toList()) {
                found.add(ExportHarness.JSON.readTree(file.toFile()));
            }
            return found;
        }
    }

    private static JsonNode json(String text) {
        try {
            return ExportHarness.JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(text, e);
        }
    }
}
