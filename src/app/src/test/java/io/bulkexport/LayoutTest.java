package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.Fault;
import io.bulkexport.sandbox.SandboxSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bulkexport.layout}: a date-partitioned folder per run, on disk and in S3, with the manifest beside the
 * files; a run keeps the folder it started with when the setting changes before it is finished; a layout that could
 * not give each run a folder of its own is refused at start-up.
 */
class LayoutTest {
    private static final String DATE_LAYOUT = "{provider}/{job}/dt={date}/{request}";

    @TempDir
    Path dir;
    S3ProxyServer s3;

    @AfterEach
    void stopS3() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    private static SandboxSettings small() {
        return SandboxSettings.defaults().withFilesPerRequest(2).withRecordsPerFile(50).withReadyAfter(Duration.ZERO);
    }

    private static String today() {
        return LocalDate.now(ZoneOffset.UTC).toString();
    }

    @Test
    void a_date_partitioned_layout_lands_files_and_manifest_under_it_on_disk() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, small()).esDslJob("engineers")
                .set("bulkexport.layout", DATE_LAYOUT + "/{file}")) {
            assertThat(app.run()).isZero();
            String requestId = app.onlyRequestId();
            Path folder = dir.resolve("out/coresignal/engineers/dt=" + today() + "/" + requestId);
            assertThat(folder.resolve("_manifest.json")).exists();
            for (String name : app.sandbox.fileNames(requestId)) {
                assertThat(folder.resolve(name.replaceFirst("\\.json\\.gz$", ".jsonl"))).exists();
            }
            long landed = 0;
            try (Stream<Path> walk = Files.walk(folder)) {
                for (Path file : walk.filter(f -> f.toString().endsWith(".jsonl")).toList()) {
                    landed += Files.readAllLines(file).size();
                }
            }
            assertThat(landed).isEqualTo(100);
        }
    }

    @Test
    void a_date_partitioned_layout_lands_under_the_expected_keys_in_s3() throws Exception {
        s3 = new S3ProxyServer(dir, Duration.ZERO).createBucket("lake");
        try (ExportHarness app = new ExportHarness(dir, small()).esDslJob("engineers")
                .set("bulkexport.sink", "s3").set("bulkexport.s3.prefix", "prod")
                .set("bulkexport.s3.spool-dir", dir.resolve("spool").toString())
                .set("bulkexport.layout", DATE_LAYOUT)) {
            s3.settings("lake").forEach(app::set);
            assertThat(app.run()).isZero();
            String requestId = app.onlyRequestId();
            String folder = "prod/coresignal/engineers/dt=" + today() + "/" + requestId + "/";
            List<String> expected = new java.util.ArrayList<>(app.sandbox.fileNames(requestId).stream()
                    .map(name -> folder + name.replaceFirst("\\.json\\.gz$", ".jsonl.gz")).toList());
            expected.add(folder + "_manifest.json");
            assertThat(s3.keys("lake", "")).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void a_run_keeps_its_folder_when_the_layout_changes_before_it_is_finished() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, small()).esDslJob("engineers")
                .set("bulkexport.layout", DATE_LAYOUT)) {
            // the second file fails for good in the first process: the run ends INCOMPLETE, one file landed
            for (int i = 0; i < 5; i++) {
                app.sandbox.faults().addForFile(EndpointKind.DOWNLOAD, 1, Fault.respond(500, "{}"));
            }
            assertThat(app.run()).isEqualTo(1);
            String requestId = app.onlyRequestId();
            // the layout changes; the next start finishes the run where it started
            app.set("bulkexport.layout", "{job}/{run}");
            assertThat(app.run()).isZero();
            Path folder = dir.resolve("out/coresignal/engineers/dt=" + today() + "/" + requestId);
            assertThat(folder.resolve("_manifest.json")).exists();
            try (Stream<Path> walk = Files.walk(folder)) {
                assertThat(walk.filter(f -> f.toString().endsWith(".jsonl")).count()).isEqualTo(2);
            }
            assertThat(dir.resolve("out/engineers")).doesNotExist();
        }
    }

    @Test
    void a_layout_without_a_folder_per_run_is_refused_before_anything_is_sent() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, small()).esDslJob("engineers")
                .set("bulkexport.layout", "{job}/dt={date}")) {
            PrintStream original = System.err;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                assertThat(app.run()).isEqualTo(2);
                app.set("bulkexport.layout", "{job}/{requestid}");
                assertThat(app.run()).isEqualTo(2);
                app.set("bulkexport.layout", "{job}/../{request}");
                assertThat(app.run()).isEqualTo(2);
            } finally {
                System.setErr(original);
            }
            assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
                    "bulk-export: configuration error: bulkexport.layout = '{job}/dt={date}': it must hold {request} or"
                            + " {run}, so that each run lands in a folder of its own; e.g. {job}/{request} or"
                            + " {job}/dt={date}/{request}",
                    "bulk-export: configuration error: bulkexport.layout = '{job}/{requestid}': {requestid} is not a"
                            + " placeholder (known: {dataset}, {date}, {day}, {job}, {month}, {provider}, {request},"
                            + " {run}, {year}; {file} only at the end); e.g. {job}/{request} or"
                            + " {job}/dt={date}/{request}",
                    "bulk-export: configuration error: bulkexport.layout = '{job}/../{request}': the segment '..' is"
                            + " not a folder name (letters, digits, '.', '_', '=' and '-' around the placeholders; no"
                            + " empty, '.' or '..' segment); e.g. {job}/{request} or {job}/dt={date}/{request}");
            assertThat(app.sandbox.requestLog()).isEmpty();
        }
    }
}
