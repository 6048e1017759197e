package io.bulkexport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import io.bulkexport.config.ConfigurationException;
import io.bulkexport.config.Secrets;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone app: the route bundle ({@link BulkExportRoutes}) in a Camel Main of its own, configured by
 * {@code config/application.properties} when the working folder has one (else by the bundle's defaults), running
 * until stopped (service mode) or until its one-shot jobs end (once mode), when it returns the exit code.
 */
public class BulkExport {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport");
    public static final String CONFIG = "bulkexport.config";
    static final String DEFAULT_CONFIG = "config/application.properties";
    private static final String STANDALONE_DEFAULTS = "bulkexport/standalone.properties";
    private static final String RUN_MODE = "bulkexport.run-mode";

    static {
        // the Log4j filter of this app: a second guard, behind the redaction the bundle does itself
        Secrets.onRead(SecretLogGuard::guard);
    }

    private final Main main = new Main() {
        // Before loading the routes, Camel Main parses every route file once more, only to find what a Kubernetes
        // Integration or Pipe resource would configure. The bundle loads its route files itself, and they are plain
        // route lists: nothing to pre-configure.
        @Override
        protected void modelineRoutes(CamelContext camelContext) {
            // nothing to pre-configure
        }
    };
    private final Properties overrides = new Properties();
    private volatile int exitCode;

    /** @param overrides settings that win over the configuration file, as {@code -Dname=value} would */
    public BulkExport(Map<String, String> overrides) {
        this.overrides.putAll(overrides);
    }

    /** Runs until stopped; returns the process exit code: 0 ok, 1 a job did not finish, 2 bad configuration. */
    public int run() {
        try {
            String named = overrides.getProperty(CONFIG, System.getProperty(CONFIG));
            String config = named != null ? named : DEFAULT_CONFIG;
            if (named != null && !Files.isRegularFile(Path.of(config))) {
                throw new ConfigurationException(config + " not found: point " + CONFIG
                        + " at your application.properties");
            }
            if (Files.isRegularFile(Path.of(config))) {
                main.setDefaultPropertyPlaceholderLocation("file:" + config);
            }
            main.setInitialProperties(standaloneDefaults(config));
            main.setOverrideProperties(overrides);
            main.bind("runCompletion", (RunCompletion) code -> {
                exitCode = code;
                main.completed();
            });
            main.configure().addRoutesBuilder(new BulkExportRoutes());
            main.run();
            return exitCode;
        } catch (Exception e) {
            // Camel Main's shutdown hook would report the coming exit as a SIGTERM: mark the run completed first
            main.completed();
            ConfigurationException bad = configurationError(e);
            if (bad != null) {
                System.err.println("bulk-export: configuration error: " + bad.getMessage());
                LOG.error("configuration error: {}", bad.getMessage());
            } else {
                // most often a route file edited into something Camel cannot build: say which, in one line
                System.err.println("bulk-export: cannot start: " + oneLine(e));
                LOG.debug("start-up failure", e);
            }
            return 2;
        }
    }

    private static final String WEBHOOK_URL = "bulkexport.webhook.public-url";

    /**
     * Camel's HTTP servers as this app sets them up ({@code bulkexport/standalone.properties}), on in service mode
     * (the management server, the HTTP server and the status API on it): a service is probed, scraped and asked,
     * a one-shot run is not. A one-shot run ends with its summary: Camel says in one line that it started and stopped,
     * without a line per route after the summary.
     */
    private Properties standaloneDefaults(String config) throws IOException {
        Properties defaults = new Properties();
        try (InputStream in = BulkExport.class.getClassLoader().getResourceAsStream(STANDALONE_DEFAULTS)) {
            defaults.load(in);
        }
        Properties file = ConfigFile.read(Path.of(config));
        String mode = overrides.getProperty(RUN_MODE, System.getProperty(RUN_MODE, file.getProperty(RUN_MODE, "service")));
        String service = String.valueOf("service".equals(mode.trim()));
        defaults.setProperty("camel.management.enabled", service);
        defaults.setProperty("camel.metrics.enabled", service);
        defaults.setProperty("camel.main.startup-summary-level", Boolean.parseBoolean(service) ? "Default" : "Oneline");
        // vendors reach a webhook on Camel's HTTP server: with a public URL set, a one-shot run listens there too
        String webhook = overrides.getProperty(WEBHOOK_URL, System.getProperty(WEBHOOK_URL,
                file.getProperty(WEBHOOK_URL, "")));
        String listen = String.valueOf(Boolean.parseBoolean(service) || !webhook.isBlank());
        defaults.setProperty("camel.server.enabled", listen);
        defaults.setProperty("bulkexport.service-api.enabled", listen);
        return defaults;
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    /** Stops the application as a SIGTERM would. */
    public void stop() {
        main.completed();
    }

    private static String oneLine(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e && root.getMessage() != null) {
            text.append(" — caused by: ").append(root.getMessage());
        }
        return Secrets.redact(text.toString().replaceAll("\\s+", " "));
    }

    private static ConfigurationException configurationError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigurationException c) {
                return c;
            }
        }
        return null;
    }
}
