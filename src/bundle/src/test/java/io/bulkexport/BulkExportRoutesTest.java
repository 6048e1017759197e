package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import io.bulkexport.config.ConfigurationException;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundle in a bare Camel context, without the emulators' artifact (this module's tests do not have it). */
class BulkExportRoutesTest {
    @TempDir
    Path dir;

    private final List<ConfigurationException> refusals = new ArrayList<>();

    private DefaultCamelContext context(Properties settings) {
        DefaultCamelContext context = new DefaultCamelContext();
        settings.setProperty("bulkexport.state.url", "jdbc:h2:file:" + dir.resolve("state/db"));
        settings.setProperty("bulkexport.output.dir", dir.resolve("out").toString());
        settings.setProperty("bulkexport.routes.dir", dir.resolve("routes").toString());
        context.getPropertiesComponent().setInitialProperties(settings);
        context.getRegistry().bind("runCompletion", RunCompletion.class, new RunCompletion() {
            @Override
            public void finished(int exitCode) {
            }

            @Override
            public void refused(ConfigurationException refusal) {
                refusals.add(refusal);
                throw refusal;
            }
        });
        return context;
    }

    @Test
    void should_refuse_the_sandbox_in_one_line_naming_the_artifact_when_the_emulators_are_missing() throws Exception {
        Properties settings = new Properties();
        settings.setProperty("bulkexport.sandbox.enabled", "true");
        settings.setProperty("bulkexport.jobs", dir.resolve("jobs/*.yaml").toString());
        try (DefaultCamelContext context = context(settings)) {
            assertThatThrownBy(() -> context.addRoutes(new BulkExportRoutes()))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessage("bulkexport.sandbox.enabled=true, but the vendor emulators are not on the class path:"
                            + " add io.bulkexport:bulk-export-sandbox to try the bundle without an account, or set"
                            + " bulkexport.sandbox.enabled=false to talk to the vendors");
            assertThat(refusals).as("the runtime's RunCompletion was told").hasSize(1);
        }
    }

    @Test
    void should_load_the_packaged_routes_and_providers_and_schedule_a_recurring_job() throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("jobs"));
        java.nio.file.Files.writeString(dir.resolve("jobs/query.json"), "{}");
        java.nio.file.Files.writeString(dir.resolve("jobs/yearly.yaml"), "provider: coresignal\ndataset: employee_clean\n"
                + "method: es_dsl\nrequest: query.json\nschedule: \"0 0 6 1 1 ? 2099\"\n");
        Properties settings = new Properties();
        settings.setProperty("bulkexport.jobs", dir.resolve("jobs/*.yaml").toString());
        settings.setProperty("bulkexport.coresignal.base-url", "http://127.0.0.1:9/cdapi"); // never called
        System.setProperty("CORESIGNAL_API_KEY", "bundle-test-key-2e7f");
        try (DefaultCamelContext context = context(settings)) {
            context.addRoutes(new BulkExportRoutes());
            context.start();
            assertThat(context.getRoutes()).extracting(r -> r.getRouteId())
                    .contains("startup", "start-job", "poll-tick", "download-run", "split-records", "coresignal-api",
                            "datafiniti-status", "datafiniti-v3-fetch", "data-requests-submit", "schedule-yearly");
            assertThat(context.getRegistry().findByTypeWithName(io.bulkexport.provider.ProviderSpec.class))
                    .containsOnlyKeys("coresignal", "datafiniti", "datafiniti-v3", "data-requests");
            assertThat(context.getRoutes()).as("stream caching off for every bundle route")
                    .allMatch(r -> !r.isStreamCaching());
            assertThat(refusals).isEmpty();
            io.bulkexport.run.RunMode runMode = context.getRegistry().lookupByNameAndType("runMode",
                    io.bulkexport.run.RunMode.class);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(runMode.hasStarted()).as("the start-up route ran to its end").isTrue());
            assertThat(org.apache.camel.health.HealthCheckHelper.invokeReadiness(context))
                    .filteredOn(r -> r.getCheck().getGroup().equals("bulkexport"))
                    .extracting(r -> r.getCheck().getId() + "=" + r.getState())
                    .containsExactly("bulkexport=UP");
        } finally {
            System.clearProperty("CORESIGNAL_API_KEY");
        }
    }
}
