package io.bulkexport;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import io.bulkexport.config.ConfigurationException;
import io.bulkexport.config.Settings;
import io.bulkexport.health.ServiceHealth;
import io.bulkexport.metrics.ExportMeters;
import io.bulkexport.provider.ProviderSpec;
import io.bulkexport.run.Downloads;
import io.bulkexport.run.Hooks;
import io.bulkexport.run.Jobs;
import io.bulkexport.run.Landings;
import io.bulkexport.run.PollPolicy;
import io.bulkexport.run.Polls;
import io.bulkexport.run.Recovery;
import io.bulkexport.run.RunMode;
import io.bulkexport.run.RunsInProcess;
import io.bulkexport.run.SinceValues;
import io.bulkexport.run.SpendControl;
import io.bulkexport.run.Submissions;
import io.bulkexport.run.Webhooks;
import io.bulkexport.state.StateStore;
import io.bulkexport.status.StatusReport;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.spi.Registry;

/**
 * The run life cycle, a bean per stage as the route files have it (routes/start-job.yaml, poll-status.yaml,
 * download-files.yaml): {@code recovery}, {@code submissions}, {@code polls}, {@code downloads} and
 * {@code landings}, sharing which runs this process has in hand; the jobs, the run mode, webhooks, the status report
 * and the health check.
 */
record RunBeans(Jobs jobs, RunMode runMode) {

    static RunBeans bind(org.apache.camel.CamelContext context, Settings settings, BundleResources resources, Clock clock,
                         StateBeans state, SinkBeans sinks, ExportMeters meters, RunCompletion completion,
                         boolean once, SpendControl spend, SinceValues since) {
        Registry registry = context.getRegistry();
        StateStore store = state.store();
        Jobs jobs = new Jobs();
        registry.bind("jobs", jobs);
        Hooks hooks = new Hooks(store, jobs, clock, Duration.ofSeconds(settings.whole("bulkexport.hooks.claim-seconds", 1)),
                Duration.ofMillis(settings.whole("bulkexport.hooks.first-delay-millis", 1)),
                Duration.ofSeconds(settings.whole("bulkexport.hooks.max-delay-seconds", 1)));
        registry.bind("hooks", hooks);
        // once mode: the landed events of the last runs go to the hook routes before the process ends
        RunMode runMode = new RunMode(once, store, jobs, code -> {
            hooks.deliverBeforeStop(context);
            completion.finished(code);
        }, 1000);
        registry.bind("runMode", runMode);
        registry.bind("statusReport", new StatusReport(store, clock, settings.text("bulkexport.status.command"),
                spend::report));
        Duration s3HealthAge = Duration.ofSeconds(settings.whole("bulkexport.s3.health-check-seconds", 1));
        registry.bind("bulkexportHealth", HealthCheck.class, new ServiceHealth(store, runMode::hasStarted,
                () -> resources.s3Check == null ? null : resources.s3Check.problem(s3HealthAge), state.instanceId(),
                spend::report));
        Webhooks webhooks = webhooks(settings, store, registry, meters);
        registry.bind("webhooks", webhooks);

        PollPolicy poll = new PollPolicy(
                Duration.ofMillis(Math.round(settings.decimal("bulkexport.poll.interval-seconds", 0.01) * 1000)),
                settings.decimal("bulkexport.poll.backoff", 1.0),
                Duration.ofMillis(Math.round(settings.decimal("bulkexport.poll.max-interval-seconds", 0.01) * 1000)),
                Duration.ofMillis(Math.round(settings.decimal("bulkexport.poll.timeout-minutes", 0.01) * 60_000)));
        RunsInProcess inProcess = new RunsInProcess();
        registry.bind("recovery", new Recovery(store, jobs, clock, inProcess));
        registry.bind("submissions", new Submissions(store, jobs, poll, clock, settings.list("bulkexport.new-run"),
                settings.under("bulkexport.attach."), sinks.destinations(), job -> {
                    if ("s3".equals(job.sink()) && resources.s3Check != null) {
                        resources.s3Check.requireAccepted();
                    }
                }, meters, webhooks, inProcess, spend, since));
        registry.bind("polls", new Polls(store, jobs, poll, clock, meters, webhooks, inProcess));
        registry.bind("downloads", new Downloads(store, jobs, sinks.destinations(), inProcess, sinks.layout()));
        registry.bind("landings", new Landings(store, state.fileClaims(), meters,
                Map.of("file", sinks.fileSink()::writeManifest, "s3", sinks.s3Sink()::writeManifest)));
        return new RunBeans(jobs, runMode);
    }

    /**
     * Vendor webhooks, when {@code bulkexport.webhook.public-url} is set: the receiver is a route of the service API,
     * so the setting is refused without it (the webhooks would never arrive, and every run wait for the slow poll).
     */
    private static Webhooks webhooks(Settings settings, StateStore store, Registry registry, ExportMeters meters) {
        String publicUrl = settings.optional("bulkexport.webhook.public-url").filter(url -> !url.isBlank())
                .orElse(null);
        if (publicUrl != null) {
            if (!publicUrl.matches("https?://[^/?#\\s]+(/[^?#\\s]*)?")) {
                throw new ConfigurationException("bulkexport.webhook.public-url must be the http(s) base URL at which"
                        + " the vendor reaches this service, e.g. https://exports.example.com, not '" + publicUrl + "'");
            }
            if (!settings.flag("bulkexport.service-api.enabled")) {
                throw new ConfigurationException("bulkexport.webhook.public-url is set, but the service API that"
                        + " receives the webhooks is off: set bulkexport.service-api.enabled=true and give the host"
                        + " Camel's HTTP server (camel-platform-http-main with camel.server.enabled=true in Camel Main,"
                        + " camel-platform-http-starter in Spring Boot; the standalone app does both whenever the URL"
                        + " is set), or unset the URL");
            }
        }
        return new Webhooks(store, publicUrl,
                Duration.ofMillis(Math.round(settings.decimal("bulkexport.webhook.poll-interval-seconds", 0.01)
                        * 1000)),
                Duration.ofMillis(Math.round(settings.decimal("bulkexport.webhook.min-seconds-between-checks", 0)
                        * 1000)),
                provider -> {
                    ProviderSpec spec = registry.lookupByNameAndType(provider, ProviderSpec.class);
                    return spec != null && spec.webhooks();
                }, meters);
    }
}
