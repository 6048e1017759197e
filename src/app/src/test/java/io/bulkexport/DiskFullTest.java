package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.SandboxSettings;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output folder on a disk that fills up (a tmpfs of 1 MB the test mounts; skipped where mounting is not allowed):
 * the files fail at once, not fetched again and again as if the network had failed, with one line naming the folder,
 * the setting and the space; once there is room, starting again lands every record once without submitting. The same
 * for a folder that is read-only.
 */
class DiskFullTest {
    @TempDir
    Path dir;

    @Test
    void a_full_disk_is_not_retried_says_where_and_resumes_once_there_is_room() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        assumeTrue(mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", out.toString()),
                "mounting a tmpfs is not allowed here");
        SandboxSettings threeFiles = SandboxSettings.defaults().withFilesPerRequest(3).withRecordsPerFile(1500)
                .withRecordBytes(1000).withReadyAfter(Duration.ZERO);
        try (ExportHarness app = new ExportHarness(dir, threeFiles).esDslJob("engineers");
             LogCapture logs = new LogCapture(Level.INFO)) {
            assertThat(app.run()).isEqualTo(1);
            assertThat(logs.text()).contains("INCOMPLETE engineers")
                    .contains("no space left on the device of " + out.toRealPath())
                    .contains("(bulkexport.output.dir)").contains("MB free now of 1.0 MB");
            assertThat(app.sandbox.requestLog()).filteredOn(r -> r.kind() == EndpointKind.DOWNLOAD)
                    .as("each file fetched once: a full disk is not a network failure").hasSize(3);

            assertThat(mount("-o", "remount,size=64m", out.toString())).as("room made").isTrue();
            assertThat(app.run()).as("started again once there is room").isZero();
            String requestId = app.onlyRequestId();
            assertThat(app.landedIds("engineers")).hasSize(4500).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(app.sandbox.expectedRecordIds(requestId));
            assertThat(app.allFiles()).noneMatch(p -> p.getFileName().toString().endsWith(".part"));
        } finally {
            mount("-l", out.toString()); // umount -l, whatever happened
        }
    }

    @Test
    void a_read_only_folder_is_not_retried_says_where_and_resumes_once_writable() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        assumeTrue(mount("-t", "tmpfs", "-o", "size=64m", "tmpfs", out.toString()),
                "mounting a tmpfs is not allowed here");
        try (ExportHarness app = new ExportHarness(dir, ExportHarness.sixFiles()).esDslJob("engineers");
             LogCapture logs = new LogCapture(Level.INFO)) {
            assertThat(mount("-o", "remount,ro", out.toString())).as("made read-only").isTrue();
            assertThat(app.run()).isEqualTo(1);
            assertThat(logs.text()).contains("INCOMPLETE engineers").contains(out.toRealPath().toString())
                    .contains("Read-only file system").contains("make it writable or point bulkexport.output.dir elsewhere");
            assertThat(app.sandbox.requestLog()).filteredOn(r -> r.kind() == EndpointKind.DOWNLOAD)
                    .as("no file fetched again: a read-only folder is not a network failure").hasSizeLessThanOrEqualTo(6);

            assertThat(mount("-o", "remount,rw", out.toString())).as("made writable").isTrue();
            assertThat(app.run()).as("started again once writable").isZero();
            String requestId = app.onlyRequestId();
            assertThat(app.landedIds("engineers")).hasSize(12_000).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(app.sandbox.expectedRecordIds(requestId));
            assertThat(app.sandbox.requestLog()).filteredOn(r -> r.kind() == EndpointKind.SUBMIT).hasSize(1);
        } finally {
            mount("-l", out.toString());
        }
    }

    /** Runs mount (or, with "-l" first, umount -l); true if it succeeded. */
    private static boolean mount(String... args) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>();
        if (args[0].equals("-l")) {
            command.add("umount");
        } else {
            command.add("mount");
        }
        command.addAll(java.util.List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    }
}
