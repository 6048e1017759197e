package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.Fault;
import io.bulkexport.sandbox.SandboxSettings;
import io.bulkexport.state.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Instances that share one PostgreSQL database, as processes of their own: the second, started while the first is
 * still sending a submission, leaves that submission to it (it used to take it for a dead process's and mark the run
 * NEEDS_ATTENTION), and the run is submitted once and lands once; three instances share out the files of one run,
 * each fetched once; several instances starting together on an empty database all start.
 */
class SharedDatabaseTest {
    @TempDir
    Path dir;

    @Test
    void a_second_instance_leaves_the_first_ones_submission_to_it() throws Exception {
        try (PostgresServer postgres = postgres();
             ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults().withFilesPerRequest(3)
                     .withRecordsPerFile(200).withReadyAfter(Duration.ofSeconds(1)))) {
            app.sandbox.faults().onSubmit(Fault.delay(Duration.ofSeconds(3)));
            app.esDslJob("shared").set("bulkexport.state.url", postgres.createDatabase("shared"))
                    .set("bulkexport.instance.heartbeat-millis", "500");
            List<Process> instances = new ArrayList<>();
            app.set("bulkexport.instance.id", "first");
            instances.add(app.spawn("first"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (app.sandbox.inFlight().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(app.sandbox.inFlight()).as("the first instance is sending its submission").isNotEmpty();
            Thread.sleep(300);
            app.set("bulkexport.instance.id", "second");
            instances.add(app.spawn("second"));

            for (int i = 0; i < instances.size(); i++) {
                Process instance = instances.get(i);
                String name = i == 0 ? "first" : "second";
                assertThat(instance.waitFor(90, TimeUnit.SECONDS)).as(name + " ends").isTrue();
                assertThat(instance.exitValue()).as(log(name)).isZero();
            }
            String requestId = app.onlyRequestId();
            assertThat(app.landedIds("shared")).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(app.sandbox.expectedRecordIds(requestId));
            assertThat(log("first") + log("second")).doesNotContain("NEEDS ATTENTION").doesNotContain("NEEDS_ATTENTION");
            assertThat(log("second")).contains("instance second").contains("DONE shared request=" + requestId);
        }
    }

    @Test
    void instances_share_out_the_files_of_one_run_and_fetch_each_once() throws Exception {
        try (PostgresServer postgres = postgres();
             ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults().withFilesPerRequest(6)
                     .withRecordsPerFile(1500).withRecordBytes(600).withReadyAfter(Duration.ofSeconds(1)))) {
            for (int i = 0; i < 6; i++) {
                app.sandbox.faults().onDownload(Fault.slowBody(32 * 1024, Duration.ofMillis(60)));
            }
            String url = postgres.createDatabase("files");
            app.esDslJob("spread").set("bulkexport.state.url", url).set("bulkexport.instance.heartbeat-millis", "300")
                    .set("bulkexport.download.parallelism", "1");
            List<Process> instances = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                app.set("bulkexport.instance.id", "spread-" + i);
                instances.add(app.spawn("spread-" + i));
            }
            for (int i = 0; i < instances.size(); i++) {
                assertThat(instances.get(i).waitFor(90, TimeUnit.SECONDS)).isTrue();
                assertThat(instances.get(i).exitValue()).as(log("spread-" + i)).isZero();
            }
            String requestId = app.onlyRequestId();
            assertThat(app.landedIds("spread")).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(app.sandbox.expectedRecordIds(requestId));
            assertThat(app.sandbox.requestLog().stream().filter(r -> r.kind() == EndpointKind.DOWNLOAD).count())
                    .as("each file fetched once").isEqualTo(6);
            assertThat(app.manifest("spread").toString()).contains(requestId);
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COUNT(DISTINCT claimed_by) FROM bulkexport_file")) {
                rs.next();
                assertThat(rs.getInt(1)).as("instances that fetched files of the one run").isGreaterThanOrEqualTo(2);
            }
        }
    }

    @Test
    void instances_starting_together_on_an_empty_database_all_start() throws Exception {
        try (PostgresServer postgres = postgres();
             ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults().withFilesPerRequest(1)
                     .withRecordsPerFile(10).withReadyAfter(Duration.ZERO))) {
            app.esDslJob("together").set("bulkexport.state.url", postgres.createDatabase("together"));
            List<Process> instances = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                app.set("bulkexport.instance.id", "together-" + i);
                instances.add(app.spawn("together-" + i));
            }
            for (int i = 0; i < instances.size(); i++) {
                assertThat(instances.get(i).waitFor(90, TimeUnit.SECONDS)).isTrue();
                assertThat(instances.get(i).exitValue()).as(log("together-" + i)).isZero();
            }
            assertThat(app.sandbox.submissions()).as("one paid submission for the three").hasSize(1);
        }
    }

    private static PostgresServer postgres() throws Exception {
        Optional<Path> bin = PostgresServer.binaries();
        assumeTrue(bin.isPresent() || System.getenv("BULKEXPORT_REQUIRE_POSTGRES") != null,
                "PostgreSQL is not installed");
        return PostgresServer.start(bin.orElseThrow());
    }

    private String log(String name) throws Exception {
        return Files.readString(dir.resolve(name + ".log"));
    }
}
