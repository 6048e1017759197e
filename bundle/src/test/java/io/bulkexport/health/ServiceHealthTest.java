package io.bulkexport.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

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

    private HikariDataSource dataSource() {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl("jdbc:h2:file:" + dir.resolve("state").toAbsolutePath());
        ds.setUsername("sa");
        ds.setPassword("s3cret-password");
        return ds;
    }

    @Test
    void should_be_up_while_the_database_answers_listing_runs_that_need_attention_and_down_when_it_does_not() {
        HikariDataSource ds = dataSource();
        StateStore store = new StateStore(ds, Clock.systemUTC());
        store.migrate();
        HealthCheck check = ServiceHealth.stateDatabase(store);
        assertThat(check.isReadiness()).isTrue();
        assertThat(check.isLiveness()).isFalse();

        HealthCheck.Result fresh = check.call();
        assertThat(fresh.getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(fresh.getDetails()).containsEntry("runs.needs-attention", 0);

        Run run = store.createRun("profiles", "data-requests", null);
        assertThat(store.transition(run.runId(), RunStatus.SUBMITTING, RunStatus.NEEDS_ATTENTION, "unknown")).isTrue();
        HealthCheck.Result attention = check.call();
        assertThat(attention.getState()).as("a person's job, not a reason to restart").isEqualTo(HealthCheck.State.UP);
        assertThat(attention.getDetails()).containsEntry("runs.needs-attention", 1)
                .containsEntry("runs.needs-attention.jobs", "[profiles]");

        ds.close();
        HealthCheck.Result down = check.call();
        assertThat(down.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(down.getMessage()).hasValueSatisfying(m -> assertThat(m)
                .startsWith("the state database does not answer (bulkexport.state.url)")
                .doesNotContain("s3cret-password"));
    }

    @Test
    void should_be_ready_only_once_the_start_up_is_done_and_be_found_by_camels_health_service() throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        try (CamelContext context = new DefaultCamelContext()) {
            context.getRegistry().bind("bulkexportStartupHealth", HealthCheck.class, ServiceHealth.startup(done::get));
            context.start();
            assertThat(states(HealthCheckHelper.invokeReadiness(context)))
                    .containsEntry("bulkexport-startup", HealthCheck.State.DOWN);
            done.set(true);
            assertThat(states(HealthCheckHelper.invokeReadiness(context)))
                    .containsEntry("bulkexport-startup", HealthCheck.State.UP);
            assertThat(states(HealthCheckHelper.invokeLiveness(context))).doesNotContainKey("bulkexport-startup");
        }
    }

    private static Map<String, HealthCheck.State> states(Collection<HealthCheck.Result> results) {
        return results.stream().collect(Collectors.toMap(r -> r.getCheck().getId(), HealthCheck.Result::getState));
    }
}
