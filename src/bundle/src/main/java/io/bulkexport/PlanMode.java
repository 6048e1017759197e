package io.bulkexport;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.bulkexport.config.Settings;
import io.bulkexport.run.Jobs;
import io.bulkexport.run.Plan;
import io.bulkexport.run.SinceValues;
import io.bulkexport.run.SpendControl;
import io.bulkexport.state.StateStore;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;

/** {@code bulkexport.run-mode = plan}: what each job would do now, printed, with nothing sent or written. */
final class PlanMode {
    private PlanMode() {
    }

    /** The routes that start work by themselves (timers, Quartz, the download queue): none runs in plan mode. */
    private static final Set<String> SELF_STARTING = Set.of("startup", "instance-heartbeat", "poll-tick",
            "download-run", "hook-delivery");

    /**
     * Plan mode: no route that starts work runs, and once Camel has started, the plan of every job is printed
     * ({@link Plan}) and the run ends with 0. Nothing is sent to a vendor or S3, nothing written to the state database
     * or the output folders.
     */
    static void install(CamelContext context, Settings settings, StateStore store, Jobs jobs, SinkBeans sinks,
                        RunCompletion completion, SpendControl spend, SinceValues since) throws Exception {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        for (RouteDefinition route : model.getRouteDefinitions()) {
            if (SELF_STARTING.contains(route.getRouteId())) {
                route.setAutoStartup("false");
            }
        }
        Plan plan = new Plan(store, jobs, Clock.systemUTC(), settings.list("bulkexport.new-run"),
                settings.under("bulkexport.attach."), sinks.destinations(),
                settings.optional("bulkexport.webhook.public-url").orElse(null), spend, since);
        boolean json = "json".equals(settings.oneOf("bulkexport.plan.format", "text", "json"));
        context.addStartupListener(new org.apache.camel.StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // the routes are not all running yet
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                Thread planner = new Thread(() -> {
                    int code = 0;
                    try {
                        List<Map<String, Object>> plans = plan.plan(started);
                        System.out.print(json ? Plan.json(plans) : Plan.text(plans));
                        System.out.flush();
                    } catch (RuntimeException e) {
                        System.err.println("bulk-export plan: " + e.getMessage());
                        code = 1;
                    }
                    completion.finished(code);
                }, "bulkexport-plan");
                planner.start();
            }
        });
    }
}
