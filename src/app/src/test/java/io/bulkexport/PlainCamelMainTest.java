package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.bulkexport.sandbox.SandboxSettings;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundle in somebody else's Camel Main application: {@link TheirApp} is a plain {@link Main} that adds the bundle
 * as the README shows, with none of the standalone app's code. Run as its own process, in once mode, against a
 * multi-file Coresignal emulator, from the packaged routes only: it lands the exact record set and exits 0.
 */
class PlainCamelMainTest {
    @TempDir
    Path dir;

    /** An application of the user's: their Main, the bundle on the class path, one line to add it. */
    public static final class TheirApp {
        public static void main(String[] args) throws Exception {
            Main main = new Main();
            main.configure().withRoutesBuilderClasses("io.bulkexport.BulkExportRoutes");
            main.run(args);
        }
    }

    @Test
    void should_refuse_a_bad_job_in_one_line_and_exit_2() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults())) {
            app.job("bad", "provider: coresignal\ndataset: people\nmethod: es_dsl\n")
                    .set("bulkexport.routes.dir", dir.resolve("no-routes-here").toString());
            Process their = app.spawn("their-app", TheirApp.class);
            assertThat(their.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String log = Files.readString(dir.resolve("their-app.log"));
            assertThat(their.exitValue()).as(log).isEqualTo(2);
            assertThat(log.lines().filter(line -> line.startsWith("bulk-export: configuration error: ")))
                    .singleElement().asString().contains("has no dataset 'people'");
            assertThat(log).as("no stack trace").doesNotContain("\tat io.bulkexport").doesNotContain("\tat org.apache");
            assertThat(app.sandbox.requestLog()).isEmpty();
        }
    }

    @Test
    void should_export_every_record_once_and_exit_with_the_once_mode_code() throws Exception {
        SandboxSettings fourFiles = SandboxSettings.defaults().withFilesPerRequest(4).withRecordsPerFile(500)
                .withRecordBytes(600).withReadyAfter(Duration.ZERO);
        try (ExportHarness app = new ExportHarness(dir, fourFiles).esDslJob("engineers")) {
            // nothing of the project folder's: the packaged routes, the bundle's defaults under these settings
            app.set("bulkexport.routes.dir", dir.resolve("no-routes-here").toString());
            Process their = app.spawn("their-app", TheirApp.class);
            assertThat(their.waitFor(120, TimeUnit.SECONDS)).as("their app ends by itself in once mode").isTrue();
            assertThat(their.exitValue()).as(app.log("their-app")).isEqualTo(0);

            String requestId = app.onlyRequestId();
            assertThat(app.landedIds("engineers")).hasSize(2000).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(app.sandbox.expectedRecordIds(requestId));
            assertThat(app.manifest("engineers").get("files")).hasSize(4);
            assertThat(Files.readString(dir.resolve("their-app.log"))).contains("DONE engineers request=" + requestId)
                    .doesNotContain(ExportHarness.API_KEY);
        }
    }
}
