package io.bulkexport.health;

import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.bulkexport.state.Run;
import io.bulkexport.state.RunStatus;
import io.bulkexport.state.StateStore;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * The bundle's readiness, as one Camel health check ({@code bulkexport}): whichever health service the runtime has
 * (Camel Main's {@code /observe/health}, Spring Boot's actuator {@code camelHealth}) finds it in the registry beside
 * Camel's own. DOWN while the start-up is still resuming what a previous process left, and while the state database
 * does not answer; runs that need attention are listed in the details but leave it UP: they are a person's job (the
 * log and {@code bulkexport.attach.JOB} say what to do), not a reason for an orchestrator to restart anything.
 * Readiness only: restarting the process cures neither. Written on camel-api's {@link HealthCheck} alone, so that no
 * host needs another module for it.
 */
public class ServiceHealth implements HealthCheck {
    private final StateStore store;
    private final BooleanSupplier started;
    private volatile boolean enabled = true;

    /** @param started true once the start-up route has resumed or started every job */
    public ServiceHealth(StateStore store, BooleanSupplier started) {
        this.store = store;
        this.started = started;
    }

    @Override
    public String getId() {
        return "bulkexport";
    }

    @Override
    public String getGroup() {
        return "bulkexport";
    }

    @Override
    public boolean isEnabled() {
        return enabled;
    }

    @Override
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public Result call(Map<String, Object> options) {
        HealthCheckResultBuilder result = HealthCheckResultBuilder.on(this);
        List<Run> attention;
        try {
            attention = store.runsIn(List.of(RunStatus.NEEDS_ATTENTION));
        } catch (RuntimeException e) {
            // the driver's first line only: it can name the URL, never the password
            return result.down().detail("state-database", "DOWN").message("the state database does not answer"
                    + " (bulkexport.state.url): " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""))
                    .build();
        }
        result.detail("state-database", "UP").detail("runs.needs-attention", attention.size());
        if (!attention.isEmpty()) {
            result.detail("runs.needs-attention.jobs",
                    attention.stream().map(Run::jobName).distinct().sorted().toList().toString());
        }
        if (!started.getAsBoolean()) {
            return result.down().detail("startup", "RECOVERING")
                    .message("recovering the runs of the previous process and starting the jobs").build();
        }
        return result.detail("startup", "DONE").up().build();
    }
}
