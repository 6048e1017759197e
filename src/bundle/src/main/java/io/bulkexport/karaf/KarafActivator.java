package io.bulkexport.karaf;

import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Properties;

import io.bulkexport.BulkExportRoutes;
import io.bulkexport.RunCompletion;
import io.bulkexport.config.ConfigurationException;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ManagedService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundle in Apache Karaf (or any OSGi framework with the camel-karaf bundles): a Camel context of its own, with
 * {@link BulkExportRoutes}, configured by Karaf's configuration admin, pid {@value #PID} ({@code etc/io.bulkexport.cfg}),
 * over the bundle's defaults. A change of that configuration restarts the context; runs resume from the state
 * database as after any restart. Once mode stops the context when its jobs have ended (Karaf itself goes on).
 *
 * <p>The context is camel-karaf's {@code OsgiDefaultCamelContext}, made by name so that the bundle needs camel-karaf
 * only inside Karaf: it finds components, languages and the YAML loader in the other bundles through the OSGi
 * service registry. While it runs it is an OSGi service of type {@link CamelContext} ({@link ContextService}), which is
 * how Karaf's {@code camel:context-list}, {@code camel:route-list}, {@code camel:route-stop|start} find it; their
 * statistics come from Camel's JMX management (camel-management, part of camel-core's feature, found by the context
 * at start).
 */
public final class KarafActivator implements BundleActivator, ManagedService {
    public static final String PID = "io.bulkexport";
    private static final String OSGI_CONTEXT = "org.apache.camel.karaf.core.OsgiDefaultCamelContext";
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport");

    private BundleContext bundle;
    private ServiceRegistration<ManagedService> registration;
    private CamelContext camel;
    private Properties running;

    @Override
    public synchronized void start(BundleContext bundleContext) {
        bundle = bundleContext;
        // the configuration as it is now, read without binding it to this bundle; then every change to it
        restart(current());
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(Constants.SERVICE_PID, PID);
        registration = bundleContext.registerService(ManagedService.class, this, properties);
    }

    @Override
    public synchronized void stop(BundleContext bundleContext) {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
        stopCamel();
    }

    @Override
    public synchronized void updated(Dictionary<String, ?> configuration) {
        Properties settings = settings(configuration);
        if (bundle != null && !settings.equals(running)) {
            restart(settings);
        }
    }

    private Properties current() {
        ServiceReference<ConfigurationAdmin> reference = bundle.getServiceReference(ConfigurationAdmin.class);
        if (reference == null) {
            return new Properties();
        }
        try {
            Configuration[] found = bundle.getService(reference).listConfigurations("(service.pid=" + PID + ")");
            return settings(found == null || found.length == 0 ? null : found[0].getProperties());
        } catch (Exception e) {
            LOG.warn("cannot read the configuration {}: {}", PID, e.getMessage());
            return new Properties();
        } finally {
            bundle.ungetService(reference);
        }
    }

    private static Properties settings(Dictionary<String, ?> configuration) {
        Properties settings = new Properties();
        if (configuration != null) {
            for (String key : Collections.list(configuration.keys())) {
                Object value = configuration.get(key);
                if (value != null && !key.startsWith("service.") && !key.startsWith("felix.")) {
                    settings.setProperty(key, String.valueOf(value));
                }
            }
        }
        return settings;
    }

    private void restart(Properties settings) {
        stopCamel();
        running = settings;
        try {
            CamelContext context = (CamelContext) Class.forName(OSGI_CONTEXT)
                    .getConstructor(BundleContext.class).newInstance(bundle);
            context.getCamelContextExtension().setName(settings.getProperty("camel.main.name", "bulk-export"));
            // before start: registered once the context has started, unregistered as soon as it stops, however
            context.getManagementStrategy().addEventNotifier(new ContextService(bundle));
            context.getPropertiesComponent().setInitialProperties(settings);
            context.getRegistry().bind("runCompletion", RunCompletion.class, new RunCompletion() {
                @Override
                public void finished(int exitCode) {
                    LOG.info("once mode: every one-shot job has ended ({}); stopping the bulk-export context",
                            exitCode == 0 ? "all done" : "some not done: see the summary above");
                    new Thread(context::stop, "bulkexport-stop").start();
                }

                @Override
                public void refused(ConfigurationException refusal) {
                    LOG.error("configuration error: {} (fix it in etc/{}.cfg)", refusal.getMessage(), PID);
                    throw refusal;
                }
            });
            context.addRoutes(new BulkExportRoutes());
            context.start();
            camel = context;
        } catch (ConfigurationException refused) {
            // logged by refused(): nothing runs until the configuration changes
        } catch (Exception e) {
            LOG.error("bulk-export cannot start: {}", e.getMessage(), e);
        }
    }

    private void stopCamel() {
        if (camel != null) {
            try {
                camel.stop();
            } catch (RuntimeException e) {
                LOG.warn("stopping the bulk-export context: {}", e.getMessage());
            }
            camel = null;
        }
    }

    /**
     * Publishes a context as an OSGi service of type {@link CamelContext} from when it has started until it begins to
     * stop (once mode's own stop, {@code camel:context-stop}, a configuration change, the bundle's stop), with the
     * service properties of camel-karaf's {@code OsgiCamelContextPublisher} (what Blueprint contexts use). Not that
     * class itself: the bundle then needs no camel-karaf to compile, and this one takes context events only. An event
     * notifier that does not ignore exchange events turns on Camel's event notification for every exchange, a cost
     * per record batch that the standalone app does not pay.
     */
    static final class ContextService extends EventNotifierSupport {
        static final String SYMBOLIC_NAME = "camel.context.symbolicname";
        static final String VERSION = "camel.context.version";
        static final String NAME = "camel.context.name";
        static final String MANAGEMENT_NAME = "camel.context.managementname";

        private final BundleContext bundle;
        private ServiceRegistration<CamelContext> registration; // guarded by this

        ContextService(BundleContext bundle) {
            this.bundle = bundle;
            // set before the notifier is added: addEventNotifier looks at them
            setIgnoreCamelContextInitEvents(true);
            setIgnoreRouteEvents(true);
            setIgnoreServiceEvents(true);
            setIgnoreExchangeEvents(true);
            setIgnoreStepEvents(true);
        }

        @Override
        public boolean isEnabled(CamelEvent event) {
            return event.getType() == CamelEvent.Type.CamelContextStarted
                    || event.getType() == CamelEvent.Type.CamelContextStopping;
        }

        @Override
        public void notify(CamelEvent event) {
            CamelContext context = ((CamelEvent.CamelContextEvent) event).getContext();
            if (event.getType() == CamelEvent.Type.CamelContextStarted) {
                register(context);
            } else {
                unregister();
            }
        }

        private synchronized void register(CamelContext context) {
            if (registration != null) {
                return;
            }
            Bundle own = bundle.getBundle();
            Dictionary<String, Object> properties = new Hashtable<>();
            properties.put(SYMBOLIC_NAME, own.getSymbolicName());
            properties.put(VERSION, own.getVersion());
            properties.put(NAME, context.getName());
            if (context.getManagementName() != null) {
                properties.put(MANAGEMENT_NAME, context.getManagementName());
            }
            registration = bundle.registerService(CamelContext.class, context, properties);
            LOG.info("Camel context {} is an OSGi service now (Karaf's camel:* commands list it)", context.getName());
        }

        private synchronized void unregister() {
            if (registration != null) {
                try {
                    registration.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // the bundle stopped first: the framework has unregistered it
                }
                registration = null;
            }
        }

        @Override
        protected void doStop() throws Exception {
            unregister();
            super.doStop();
        }
    }
}
