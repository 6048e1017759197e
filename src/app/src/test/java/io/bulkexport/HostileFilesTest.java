package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.Fault;
import io.bulkexport.sandbox.LoggedRequest;
import io.bulkexport.sandbox.SandboxSettings;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files a vendor should never hand out: a decompression bomb, names that point outside the output folder. */
class HostileFilesTest {
    @TempDir
    Path dir;

    private Path files() throws Exception {
        Path files = Files.createDirectories(dir.resolve("served"));
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(files.resolve("part-00000.json.gz")))) {
            for (int id = 1; id <= 100; id++) {
                out.write(("{\"id\":" + id + ",\"name\":\"Zoë\"}\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        return files;
    }

    @Test
    void should_stop_a_decompression_bomb_without_retrying_and_keep_the_other_files() throws Exception {
        Path files = files();
        byte[] blanks = new byte[1 << 20];
        java.util.Arrays.fill(blanks, (byte) ' ');
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(files.resolve("part-00001.json.gz")))) {
            for (int mb = 0; mb < 40; mb++) { // 40 MB of blanks: about 40 KB gzipped, a ratio of about 1000
                out.write(blanks);
            }
        }
        SandboxSettings settings = SandboxSettings.defaults().withFilesDir(files).withReadyAfter(java.time.Duration.ZERO);
        try (ExportHarness app = new ExportHarness(dir, settings).esDslJob("engineers");
             LogCapture logs = new LogCapture(Level.INFO)) {
            assertThat(app.run()).isEqualTo(1);
            assertThat(logs.text()).contains("INCOMPLETE engineers")
                    .contains("decodes to more than 200 times its compressed size").contains("decompression bomb");
            assertThat(app.landedIds("engineers")).hasSize(100).doesNotHaveDuplicates();
            assertThat(downloadsOf(app, "part-00001")).as("not retried: the same bytes would come again").hasSize(1);
        }
    }

    @Test
    void should_refuse_file_names_that_leave_the_output_folder_without_fetching_them() throws Exception {
        SandboxSettings settings = SandboxSettings.defaults().withFilesDir(files()).withReadyAfter(java.time.Duration.ZERO);
        try (ExportHarness app = new ExportHarness(dir, settings).esDslJob("engineers");
             LogCapture logs = new LogCapture(Level.INFO)) {
            app.sandbox.faults().onStatus(Fault.respond(200, "{\"data_request_files\": [\"json/part-00000.json.gz\","
                    + " \"../../../escaped.json.gz\", \"/tmp/absolute.json.gz\", \"json/a\\u0000b.json.gz\"]}"));
            assertThat(app.run()).isEqualTo(1);
            assertThat(logs.text()).contains("INCOMPLETE engineers").contains("3 of 4 file(s) failed")
                    .contains("'../../../escaped.json.gz' has an empty, '.' or '..' part");
            assertThat(app.landedIds("engineers")).hasSize(100);
            assertThat(app.sandbox.requestLog()).filteredOn(r -> r.kind() == EndpointKind.DOWNLOAD).hasSize(1);
            // the request folder is dir/out/engineers/REQUEST: "../../../" from it would be dir itself
            try (Stream<Path> everything = Files.walk(dir)) {
                assertThat(everything.map(p -> p.getFileName().toString()))
                        .noneMatch(name -> name.startsWith("escaped") || name.startsWith("absolute"));
            }
        }
    }

    private static List<LoggedRequest> downloadsOf(ExportHarness app, String part) {
        return app.sandbox.requestLog().stream().filter(r -> r.kind() == EndpointKind.DOWNLOAD && r.path().contains(part))
                .toList();
    }
}
