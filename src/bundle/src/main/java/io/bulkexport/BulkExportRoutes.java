package io.bulkexport;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.bulkexport.config.ConfigurationException;
import io.bulkexport.config.Defaults;
import io.bulkexport.config.RouteFiles;
import io.bulkexport.config.Secrets;
import io.bulkexport.config.Settings;
import io.bulkexport.job.JobCatalog;
import io.bulkexport.job.JobDefinition;
import io.bulkexport.metrics.ExportMeters;
import io.bulkexport.provider.ProviderDeclarations;
import io.bulkexport.provider.ProviderSpec;
import io.bulkexport.run.Jobs;
import io.bulkexport.run.RunMode;
import io.bulkexport.run.SinceValues;
import io.bulkexport.sink.RecordTransforms;
import io.bulkexport.run.SpendControl;
import io.bulkexport.state.StateStore;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.PluginHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundle, as the one {@link org.apache.camel.RoutesBuilder} a Camel runtime needs: it binds the beans the routes
 * call, loads the YAML routes and provider declarations (the packaged ones, or edited copies under
 * {@code bulkexport.routes.dir}), checks the job files against the providers, and schedules the recurring jobs. Every
 * setting is read through Camel's property placeholders, over the bundle's defaults. Camel Main takes it as
 * {@code camel.main.routes-builder-classes = io.bulkexport.BulkExportRoutes}; Spring Boot finds it by itself; Karaf's
 * bundle activator adds it to the context it makes.
 */
public class BulkExportRoutes extends RouteBuilder {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport");
    /** The route file of the HTTP API, loaded only with bulkexport.service-api.enabled (it needs platform-http). */
    private static final String SERVICE_API = "service-api.yaml";

    @Override
    public void configure() throws Exception {
        CamelContext context = getContext();
        Defaults.install(context);
        Settings settings = new Settings(context);
        BundleResources resources = new BundleResources();
        context.addService(resources, true, true);
        RunCompletion completion = completion(context.getRegistry());
        try {
            wire(context, settings, resources, completion);
        } catch (ConfigurationException e) {
            resources.close();
            completion.refused(e);
            throw e;
        } catch (RuntimeException e) {
            resources.close();
            throw e;
        }
    }

    /**
     * Binds the beans the routes call, a class per area (the state database, the vendor calls, the record path and
     * sinks, the run life cycle), then loads the routes and the jobs and checks them against each other.
     */
    private void wire(CamelContext context, Settings settings, BundleResources resources, RunCompletion completion)
            throws Exception {
        String mode = settings.oneOf("bulkexport.run-mode", "service", "once", "plan");
        boolean once = "once".equals(mode);
        boolean plan = "plan".equals(mode);
        if (settings.flag("bulkexport.sandbox.enabled")) {
            resources.emulators = startEmulators(context, settings);
        }
        configureHttp(context, settings);
        Registry registry = context.getRegistry();
        Clock clock = Clock.systemUTC();
        StateBeans state = StateBeans.bind(registry, settings, resources, clock, plan);
        StateStore store = state.store();
        String instanceId = state.instanceId();
        SpendControl spend = new SpendControl(store, settings.under("bulkexport."));
        registry.bind("spend", spend);
        SinceValues since = new SinceValues(store, settings.under(SinceValues.SETTING));
        ExportMeters meters = ExportMeters.forContext(context, store::countByStatus, spend::report,
                () -> store.hookEvents().undelivered());
        registry.bind("exportMeters", ExportMeters.class, meters);
        VendorBeans.bind(registry, settings, resources, clock, state.instances(), meters, spend);
        SinkBeans sinks = SinkBeans.bind(context, registry, settings, resources, meters, this);
        RunBeans runs = RunBeans.bind(context, settings, resources, clock, state, sinks, meters, completion, once,
                spend, since);
        Jobs jobs = runs.jobs();
        RunMode runMode = runs.runMode();
        String defaultSink = sinks.defaultSink();

        Map<String, ProviderSpec> providers = loadRoutes(context, settings, plan);
        JobCatalog catalog = JobCatalog.load(settings.text("bulkexport.jobs"), Path.of(""),
                providers, defaultSink);
        jobs.use(catalog);
        StartChecks.againstJobs(context, settings, catalog, providers);
        spend.use(providers.keySet(), catalog);
        registry.lookupByNameAndType("transformRecords", RecordTransforms.class).use(catalog, registry);
        if (plan) {
            PlanMode.install(context, settings, store, jobs, sinks, completion, spend, since);
            return;
        }
        Map<String, Set<String>> sinksByProvider = new java.util.TreeMap<>();
        catalog.all().forEach(job -> sinksByProvider.computeIfAbsent(job.provider(), p -> new java.util.TreeSet<>())
                .add(job.sink()));
        // once Camel runs (the host's Micrometer registry is bound by then): the meters exist before any work
        context.addStartupListener(new org.apache.camel.StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // routes are about to start: too early for a registry bound as Camel starts
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                meters.started(sinksByProvider);
            }
        });
        // what a stopped process left half-written is removed only while no other instance shares the database: a
        // live one's files in progress look the same
        List<String> others = store.leases().live().stream().filter(id -> !id.equals(instanceId)).toList();
        if (!others.isEmpty()) {
            LOG.info("instance {} shares the state database with {}: temporary files and spools are left to them",
                    instanceId, others);
        }
        sinks.prepare(resources, catalog, others.isEmpty());
        for (JobDefinition job : catalog.all()) {
            if (!job.isOnce() && runMode.isOnce()) {
                LOG.info("{}: recurring job, not scheduled in once mode", job.name());
            } else if (!job.isOnce()) {
                String id = context.addRouteFromTemplate("schedule-" + job.name(), "scheduled-job",
                        Map.of("jobName", job.name(), "cron", job.schedule()));
                context.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinition(id)
                        .setStreamCache("false");
            }
        }
        LOG.info("{} job(s): {}", catalog.all().size(), catalog.all().stream()
                .map(j -> j.name() + " (" + j.provider() + " " + j.dataset() + "/" + j.method() + ", "
                        + (j.isOnce() ? "once" : "cron " + j.schedule()) + ", " + j.sink() + ")").toList());
    }

    /**
     * Loads the provider declarations and the route files, makes each provider's API routes from the templates, then
     * turns stream caching off for every route they made: downloads stream from the socket through gunzip into the
     * sink, and a cached copy would hold a whole file in memory or on disk. Returns the providers by name.
     */
    private static Map<String, ProviderSpec> loadRoutes(CamelContext context, Settings settings, boolean plan)
            throws Exception {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        Set<String> before = model.getRouteDefinitions().stream().map(RouteDefinition::getRouteId)
                .collect(java.util.stream.Collectors.toSet());
        RouteFiles files = RouteFiles.find(context, Path.of(settings.text("bulkexport.routes.dir")));
        if (!files.edited().isEmpty()) {
            LOG.info("{} route file(s) from {} (bulkexport.routes.dir), over the packaged ones: {}",
                    files.edited().size(), files.dir(), files.edited());
        }
        Map<String, ProviderSpec> providers = ProviderDeclarations.bind(context, files.declarations());
        boolean serviceApi = settings.flag("bulkexport.service-api.enabled");
        PluginHelper.getRoutesLoader(context).loadRoutes(java.util.Arrays.stream(files.resources())
                .filter(file -> serviceApi || !file.getLocation().endsWith("/" + SERVICE_API))
                .toArray(org.apache.camel.spi.Resource[]::new));
        if (plan) {
            ProviderDeclarations.addPlanRoutes(context, providers.values());
        } else {
            ProviderDeclarations.addApiRoutes(context, providers.values());
        }
        for (RouteDefinition route : model.getRouteDefinitions()) {
            if (!before.contains(route.getRouteId())) {
                route.setStreamCache("false");
            }
        }
        return providers;
    }

    /**
     * The settings of Camel's http component that the vendor calls depend on, in every runtime: no retries inside
     * the HTTP client (a GET can start a paid download, so every retry is the bundle's own, where it knows whether
     * sending again is safe), no cookie store (every call carries its own credentials), and the timeouts.
     */
    private static void configureHttp(CamelContext context, Settings settings) {
        HttpComponent http = context.getComponent("http", HttpComponent.class);
        http.setAutomaticRetriesDisabled(true);
        http.setCookieManagementDisabled(true);
        http.setConnectTimeout(settings.whole("camel.component.http.connect-timeout", 1));
        http.setSoTimeout(settings.whole("camel.component.http.so-timeout", 1));
        http.setResponseTimeout(settings.whole("camel.component.http.response-timeout", 1));
    }

    /** The runtime's own way to end, if it bound one; else that of a process of its own (exit codes). */
    private static RunCompletion completion(Registry registry) {
        RunCompletion bound = registry.findSingleByType(RunCompletion.class);
        return bound != null ? bound : RunCompletion.exitTheJvm();
    }

    /** Starts the emulators' artifact and points the providers at it; refused when the artifact is missing. */
    private static Emulators startEmulators(CamelContext context, Settings settings) {
        Emulators.Factory factory = Emulators.factory().orElseThrow(() -> new ConfigurationException(
                "bulkexport.sandbox.enabled=true, but the vendor emulators are not on the class path: add "
                        + Emulators.ARTIFACT + " to try the bundle without an account, or set"
                        + " bulkexport.sandbox.enabled=false to talk to the vendors"));
        Emulators emulators = factory.start(settings);
        Defaults.override(context, emulators.properties());
        Secrets.useStandIns(emulators::credential);
        LOG.info("sandbox: the vendor emulators answer at {} (bulkexport.sandbox.enabled=true); nothing leaves this"
                + " machine", emulators.properties().values());
        return emulators;
    }
}
