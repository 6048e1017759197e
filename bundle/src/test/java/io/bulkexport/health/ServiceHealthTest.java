package io.bulkexport.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;

import com.zaxxer.hikari.HikariDataSource;
import io.bulkexport.state.Run;
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
            context.getRegistry().bind("bulkexportHealth", HealthCheck.class, new ServiceHealth(store, started::get));
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

            Run run = store.createRun("profiles", "data-requests", null);
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

    private static HealthCheck.Result readiness(CamelContext context) {
        return HealthCheckHelper.invokeReadiness(context).stream().filter(r -> r.getCheck().getId().equals("bulkexport"))
                .findFirst().orElseThrow(() -> new AssertionError("no bulkexport check in " + context.getName()));
    }
}
