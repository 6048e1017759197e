package io.bulkexport.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import com.zaxxer.hikari.HikariDataSource;
import io.bulkexport.state.Run;
import io.bulkexport.state.TestRuns;
import io.bulkexport.state.RunStatus;
import io.bulkexport.state.StateStore;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceHealthTest {
    @TempDir
    Path dir;

    @Test
    void should_be_ready_once_started_while_the_database_answers_listing_runs_that_need_attention() throws Exception {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl("jdbc:h2:file:" + dir.resolve("state").toAbsolutePath());
        ds.setUsername("sa");
        ds.setPassword("s3cret-password");
        StateStore store = new StateStore(ds, Clock.systemUTC());
        store.migrate();
        AtomicBoolean started = new AtomicBoolean();
        try (CamelContext context = new DefaultCamelContext()) {
            context.getRegistry().bind("bulkexportHealth", HealthCheck.class, new ServiceHealth(store, started::get, null, null));
            context.start();

            HealthCheck.Result recovering = readiness(context);
            assertThat(recovering.getState()).isEqualTo(HealthCheck.State.DOWN);
            assertThat(recovering.getMessage()).contains("recovering the runs of the previous process and starting the jobs");
            assertThat(HealthCheckHelper.invokeLiveness(context)).as("readiness only")
                    .noneMatch(r -> r.getCheck().getId().equals("bulkexport"));

            started.set(true);
            HealthCheck.Result ready = readiness(context);
            assertThat(ready.getState()).isEqualTo(HealthCheck.State.UP);
            assertThat(ready.getDetails()).containsEntry("runs.needs-attention", 0).containsEntry("startup", "DONE");

            Run run = TestRuns.create(store, "profiles", "data-requests", null);
            assertThat(store.transition(run.runId(), RunStatus.SUBMITTING, RunStatus.NEEDS_ATTENTION, "?")).isTrue();
            HealthCheck.Result attention = readiness(context);
            assertThat(attention.getState()).as("a person's job, not a reason to restart").isEqualTo(HealthCheck.State.UP);
            assertThat(attention.getDetails()).containsEntry("runs.needs-attention", 1)
                    .containsEntry("runs.needs-attention.jobs", "[profiles]");

            ds.close();
            HealthCheck.Result down = readiness(context);
            assertThat(down.getState()).isEqualTo(HealthCheck.State.DOWN);
            assertThat(down.getMessage()).hasValueSatisfying(m -> assertThat(m)
                    .startsWith("the state database does not answer (bulkexport.state.url)")
                    .doesNotContain("s3cret-password"));
        }
    }

    @Test
    void should_be_down_while_the_s3_jobs_bucket_would_refuse_their_files() throws Exception {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl("jdbc:h2:file:" + dir.resolve("s3-state").toAbsolutePath());
        StateStore store = new StateStore(ds, Clock.systemUTC());
        store.migrate();
        AtomicReference<Optional<String>> s3 = new AtomicReference<>(Optional.of("S3 bucket 'lake' does not exist"));
        try (ds; CamelContext context = new DefaultCamelContext()) {
            context.getRegistry().bind("bulkexportHealth", HealthCheck.class,
                    new ServiceHealth(store, () -> true, s3::get, "host-42"));
            context.start();

            HealthCheck.Result refused = readiness(context);
            assertThat(refused.getState()).isEqualTo(HealthCheck.State.DOWN);
            assertThat(refused.getMessage()).hasValue("the S3 jobs' bucket would not take their files: S3 bucket"
                    + " 'lake' does not exist");
            assertThat(refused.getDetails()).containsEntry("s3", "DOWN");

            s3.set(Optional.empty());
            HealthCheck.Result accepted = readiness(context);
            assertThat(accepted.getState()).isEqualTo(HealthCheck.State.UP);
            assertThat(accepted.getDetails()).containsEntry("s3", "UP").containsEntry("instance", "host-42");
        }
    }

    private static HealthCheck.Result readiness(CamelContext context) {
        return HealthCheckHelper.invokeReadiness(context).stream().filter(r -> r.getCheck().getId().equals("bulkexport"))
                .findFirst().orElseThrow(() -> new AssertionError("no bulkexport check in " + context.getName()));
    }
}
