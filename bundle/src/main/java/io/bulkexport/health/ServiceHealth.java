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
 * The bundle's readiness checks, as Camel health checks: whichever health service the runtime has (Camel Main's
 * {@code /observe/health}, Spring Boot's actuator {@code camelHealth}) finds them in the registry beside Camel's own.
 * Written on camel-api's {@link HealthCheck} alone, so that no host needs another module for them.
 */
public abstract class ServiceHealth implements HealthCheck {
    private volatile boolean enabled = true;

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

    /** Readiness only: a stopped database or a start-up still recovering is not cured by restarting the process. */
    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public Result call(Map<String, Object> options) {
        HealthCheckResultBuilder result = HealthCheckResultBuilder.on(this);
        check(result);
        return result.build();
    }

    protected abstract void check(HealthCheckResultBuilder result);

    /**
     * The state database answers. Runs that need attention are listed in the details: they are a person's job (the
     * log and {@code bulkexport.attach.JOB} say what to do), not a reason for an orchestrator to restart anything.
     */
    public static ServiceHealth stateDatabase(StateStore store) {
        return new ServiceHealth() {
            @Override
            public String getId() {
                return "bulkexport-state";
            }

            @Override
            protected void check(HealthCheckResultBuilder result) {
                try {
                    List<Run> attention = store.runsIn(List.of(RunStatus.NEEDS_ATTENTION));
                    result.up().detail("runs.needs-attention", attention.size());
                    if (!attention.isEmpty()) {
                        result.detail("runs.needs-attention.jobs",
                                attention.stream().map(Run::jobName).distinct().sorted().toList().toString());
                    }
                } catch (RuntimeException e) {
                    // the message only: a driver's exception text can hold the URL, never the password
                    result.down().message("the state database does not answer (bulkexport.state.url): "
                            + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
                }
            }
        };
    }

    /** DOWN until the start-up has resumed what a previous process left and started the one-shot jobs. */
    public static ServiceHealth startup(BooleanSupplier done) {
        return new ServiceHealth() {
            @Override
            public String getId() {
                return "bulkexport-startup";
            }

            @Override
            protected void check(HealthCheckResultBuilder result) {
                if (done.getAsBoolean()) {
                    result.up();
                } else {
                    result.down().message("recovering the runs of the previous process and starting the jobs");
                }
            }
        };
    }
}
