package io.bulkexport.health;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.bulkexport.state.Run;
import io.bulkexport.state.RunStatus;
import io.bulkexport.state.SpendReport;
import io.bulkexport.state.StateStore;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * The bundle's readiness, as one Camel health check ({@code bulkexport}): whichever health service the runtime has
 * (Camel Main's {@code /observe/health}, Spring Boot's actuator {@code camelHealth}) finds it in the registry beside
 * Camel's own. DOWN while the start-up is still resuming what a previous process left, and while the state database
 * does not answer; runs that need attention are listed in the details but leave it UP: they are a person's job (the
 * log and {@code bulkexport.attach.JOB} say what to do), not a reason for an orchestrator to restart anything.
 * With jobs writing to S3, DOWN also while their bucket would not take the files (the start-up check, asked again
 * every {@code bulkexport.s3.health-check-seconds}). Readiness only: restarting the process cures none of these.
 * Written on camel-api's {@link HealthCheck} alone, so that no host needs another module for it.
 */
public class ServiceHealth implements HealthCheck {
    private final StateStore store;
    private final BooleanSupplier started;
    private final Supplier<Optional<String>> s3;
    private final String instance;
    private final Supplier<SpendReport> budgets;
    private volatile boolean enabled = true;

    /**
     * @param started  true once the start-up route has resumed or started every job
     * @param s3       when jobs write to S3: what is wrong with their bucket (empty while S3 accepts it); else null
     * @param instance this instance's id among those sharing the state database, shown in the details; or null
     */
    public ServiceHealth(StateStore store, BooleanSupplier started, Supplier<Optional<String>> s3, String instance) {
        this(store, started, s3, instance, () -> SpendReport.NONE);
    }

    /** @param budgets each spend budget's use ({@code SpendControl#report}): its "left" shown in the details */
    public ServiceHealth(StateStore store, BooleanSupplier started, Supplier<Optional<String>> s3, String instance,
                         Supplier<SpendReport> budgets) {
        this.store = store;
        this.started = started;
        this.s3 = s3;
        this.instance = instance;
        this.budgets = budgets;
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
        if (instance != null) {
            result.detail("instance", instance);
        }
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
        // what each budget has left: spending it all is no fault of the service's, so it never turns it DOWN
        SpendReport spend = budgets.get();
        spend.budgets().forEach(use -> result.detail(use.budget().setting().replace("bulkexport.", ""),
                use.left() + " of " + use.budget().records() + " left"));
        spend.floors().forEach(floor -> result.detail(floor.setting().replace("bulkexport.", ""),
                "floor " + floor.floor() + ", balance left " + floor.credits().map(c -> String.valueOf(c.left()))
                        .orElse("not reported yet")));
        if (!attention.isEmpty()) {
            result.detail("runs.needs-attention.jobs",
                    attention.stream().map(Run::jobName).distinct().sorted().toList().toString());
        }
        Optional<String> s3Problem = s3 == null ? null : s3.get();
        if (s3Problem != null) {
            result.detail("s3", s3Problem.isEmpty() ? "UP" : "DOWN");
            if (s3Problem.isPresent()) {
                return result.down().message("the S3 jobs' bucket would not take their files: " + s3Problem.get())
                        .build();
            }
        }
        if (!started.getAsBoolean()) {
            return result.down().detail("startup", "RECOVERING")
                    .message("recovering the runs of the previous process and starting the jobs").build();
        }
        return result.detail("startup", "DONE").up().build();
    }
}
