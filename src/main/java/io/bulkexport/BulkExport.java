package io.bulkexport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.bulkexport.config.ConfigurationException;
import io.bulkexport.config.Secrets;
import io.bulkexport.config.Settings;
import io.bulkexport.job.JobCatalog;
import io.bulkexport.job.JobDefinition;
import io.bulkexport.provider.ProviderSpec;
import io.bulkexport.records.Compression;
import io.bulkexport.records.DecompressionLimit;
import io.bulkexport.records.RecordBatch;
import io.bulkexport.records.RecordReaders;
import io.bulkexport.records.RecordValidator;
import io.bulkexport.run.Jobs;
import io.bulkexport.run.PollPolicy;
import io.bulkexport.run.RetryPolicy;
import io.bulkexport.run.RunMode;
import io.bulkexport.run.Runs;
import io.bulkexport.presigned.PresignedFiles;
import io.bulkexport.presigned.PresignedLinks;
import io.bulkexport.sandbox.SandboxSettings;
import io.bulkexport.sandbox.Sandboxes;
import io.bulkexport.sink.FileSink;
import io.bulkexport.sink.RecordOutput;
import io.bulkexport.sink.S3Check;
import io.bulkexport.sink.S3Clients;
import io.bulkexport.sink.S3Settings;
import io.bulkexport.sink.S3Sink;
import io.bulkexport.sink.UnfinishedUploads;
import io.bulkexport.state.StateStore;
import io.bulkexport.vendor.JobCalls;
import io.bulkexport.vendor.JsonAnswers;
import io.bulkexport.vendor.RequestBodies;
import io.bulkexport.vendor.VendorResponses;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The bundle as one Camel Main application: reads {@code config/application.properties}, loads the YAML routes
 * under {@code routes/}, wires the beans the routes call, checks the job files, and runs until stopped (service
 * mode) or until its one-shot jobs end (once mode).
 */
public class BulkExport {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport");
    public static final String CONFIG = "bulkexport.config";

    private final Main main = new Main() {
        // Before loading the routes, Camel parses every route file once more, only to find what a Kubernetes
        // Integration or Pipe resource would configure. The route files here are plain route lists: skipping that
        // pass takes about a tenth of a second off every start.
        @Override
        protected void modelineRoutes(CamelContext camelContext) {
            // nothing to pre-configure
        }
    };
    private final Properties overrides = new Properties();
    private HikariDataSource dataSource;
    private Sandboxes sandboxes;
    private PresignedFiles presignedFiles;
    private volatile S3Clients.Shared s3Client;
    private volatile S3Check s3Check;
    private RunMode runMode;

    /** @param overrides settings that win over the configuration file, as {@code -Dname=value} would */
    public BulkExport(Map<String, String> overrides) {
        this.overrides.putAll(overrides);
    }

    /** Runs until stopped; returns the process exit code: 0 ok, 1 a job did not finish, 2 bad configuration. */
    public int run() {
        try {
            String config = overrides.getProperty(CONFIG, System.getProperty(CONFIG, "config/application.properties"));
            if (!Files.isRegularFile(Path.of(config))) {
                throw new ConfigurationException(config + " not found: run from the project folder, or point "
                        + CONFIG + " at your application.properties");
            }
            main.setDefaultPropertyPlaceholderLocation("file:" + config);
            main.setOverrideProperties(overrides);
            main.addMainListener(new Wiring());
            main.run();
            return runMode == null ? 0 : runMode.exitCode();
        } catch (Exception e) {
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
        } finally {
            close();
        }
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    /** Stops the application as a SIGTERM would. */
    public void stop() {
        main.completed();
    }

    private void close() {
        if (sandboxes != null) {
            sandboxes.stop();
        }
        if (presignedFiles != null) {
            try {
                presignedFiles.close();
            } catch (java.io.IOException e) {
                LOG.debug("closing the presigned download client", e);
            }
        }
        if (s3Client != null) {
            s3Client.close();
        }
        if (dataSource != null) {
            dataSource.close();
        }
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
        return text.toString().replaceAll("\\s+", " ");
    }

    private static ConfigurationException configurationError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigurationException c) {
                return c;
            }
        }
        return null;
    }

    /** Wires the beans before the routes are built, then checks the jobs against the providers the routes declare. */
    private final class Wiring extends MainListenerSupport {
        private Settings settings;
        private Jobs jobs;
        private S3Settings s3Settings;
        private String defaultSink; // where jobs write unless their file says otherwise
        private S3Sink s3Sink;
        private FileSink fileSink;

        @Override
        public void beforeConfigure(BaseMainSupport support) {
            CamelContext context = support.getCamelContext();
            settings = new Settings(context);
            boolean once = "once".equals(settings.oneOf("bulkexport.run-mode", "service", "service", "once"));
            if (settings.flag("bulkexport.sandbox.enabled", false)) {
                startSandbox(context);
            }
            Registry registry = context.getRegistry();
            Clock clock = Clock.systemUTC();
            StateStore store = new StateStore(openDataSource(), clock);
            store.migrate();
            jobs = new Jobs();
            PollPolicy poll = new PollPolicy(
                    Duration.ofMillis(Math.round(settings.decimal("bulkexport.poll.interval-seconds", 30, 0.01) * 1000)),
                    settings.decimal("bulkexport.poll.backoff", 1.5, 1.0),
                    Duration.ofMillis(Math.round(settings.decimal("bulkexport.poll.max-interval-seconds", 300, 0.01) * 1000)),
                    Duration.ofMillis(Math.round(settings.decimal("bulkexport.poll.timeout-minutes", 1440, 0.01) * 60_000)));
            runMode = new RunMode(once, store, jobs, main::completed, 1000);
            Path output = Path.of(settings.text("bulkexport.output.dir", "data/out"));
            Compression outputCompression = Compression.named(
                    settings.oneOf("bulkexport.output.compression", "none", "none", "gzip"));

            registry.bind("stateStore", store);
            registry.bind("jobs", jobs);
            registry.bind("runMode", runMode);
            s3Settings = S3Settings.read(settings);
            defaultSink = settings.oneOf("bulkexport.sink", "file", "file", "s3");
            if ("s3".equals(defaultSink)) {
                // jobs write to S3 unless they say otherwise: build the client while Camel loads the routes
                s3Client = new S3Clients.Shared(s3Settings);
                s3Client.buildInBackground();
            }
            Path outputRoot = output.toAbsolutePath().normalize();
            registry.bind("runs", new Runs(store, jobs, poll, clock, settings.list("bulkexport.new-run"),
                    settings.under("bulkexport.attach."), job -> "s3".equals(job.sink()) ? s3Settings.destination()
                            : "file:" + outputRoot + (outputCompression == Compression.GZIP ? " (gzip)" : ""),
                    job -> {
                        if ("s3".equals(job.sink()) && s3Check != null) {
                            s3Check.requireAccepted();
                        }
                    }));
            registry.bind("retryPolicy", new RetryPolicy(settings::optional,
                    (int) settings.whole("bulkexport.retry.max-retries", 6, 0),
                    settings.whole("bulkexport.retry.first-delay-millis", 1000, 0),
                    settings.whole("bulkexport.retry.max-delay-millis", 60_000, 0)));
            registry.bind("vendorResponses", new VendorResponses(Duration.ofSeconds(
                    settings.whole("bulkexport.retry.max-delay-seconds", 120, 0))));
            registry.bind("requestBodies", new RequestBodies());
            registry.bind("jobCalls", new JobCalls());
            registry.bind("jsonAnswers", new JsonAnswers());
            PresignedLinks links = new PresignedLinks(clock);
            presignedFiles = new PresignedFiles(links, clock,
                    Duration.ofMillis(settings.whole("camel.component.http.connect-timeout", 10_000, 1)),
                    Duration.ofMillis(settings.whole("camel.component.http.so-timeout", 60_000, 1)));
            registry.bind("presignedLinks", links);
            registry.bind("presignedFiles", presignedFiles);
            registry.bind("recordReaders", new RecordReaders().withDecompressionLimit(new DecompressionLimit(
                    settings.whole("bulkexport.decode.max-bytes", 32_000_000_000L, 1),
                    settings.decimal("bulkexport.decode.max-ratio", 200, 1))));
            // once per batch of records: processors, which Camel calls without looking up a bean method each time
            RecordValidator validator = new RecordValidator();
            registry.bind("validateRecords",
                    (Processor) exchange -> validator.validate(exchange.getMessage().getBody(RecordBatch.class)));
            RecordOutput recordOutput = new RecordOutput(
                    settings.whole("bulkexport.progress.interval-seconds", 10, 1) * 1000);
            registry.bind("recordOutput", recordOutput);
            registry.bind("writeRecords", (Processor) recordOutput::write);
            fileSink = new FileSink(output, outputCompression,
                    settings.flag("bulkexport.output.keep-vendor-gzip", true), store, recordOutput);
            registry.bind("fileSink", fileSink);
            s3Sink = new S3Sink(s3Settings, store, recordOutput);
            registry.bind("s3Sink", s3Sink);
            registry.bind("unfinishedUploads", new UnfinishedUploads(() -> s3Client == null ? null : s3Client.get(),
                    () -> s3Settings.bucket().orElseThrow()));
            ExecutorService downloads = context.getExecutorServiceManager().newFixedThreadPool(this, "download",
                    (int) settings.whole("bulkexport.download.parallelism", 2, 1));
            registry.bind("downloadPool", downloads);
        }

        @Override
        public void afterConfigure(BaseMainSupport support) {
            CamelContext context = support.getCamelContext();
            Map<String, ProviderSpec> providers = context.getRegistry().findByTypeWithName(ProviderSpec.class);
            JobCatalog catalog = JobCatalog.load(settings.text("bulkexport.jobs", "config/jobs/*.yaml"), Path.of(""),
                    providers, !settings.flag("bulkexport.sandbox.enabled", false), defaultSink);
            jobs.use(catalog);
            useS3(context, catalog.all().stream().filter(j -> "s3".equals(j.sink())).map(JobDefinition::name)
                    .toList());
            fileSink.removeStaleParts(catalog.all().stream().map(JobDefinition::name).toList());
            for (JobDefinition job : catalog.all()) {
                if (!job.isOnce() && runMode.isOnce()) {
                    LOG.info("{}: recurring job, not scheduled in once mode", job.name());
                } else if (!job.isOnce()) {
                    try {
                        context.addRouteFromTemplate("schedule-" + job.name(), "scheduled-job",
                                Map.of("jobName", job.name(), "cron", job.schedule()));
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot schedule job " + job.name() + ": " + e.getMessage(), e);
                    }
                }
            }
            LOG.info("{} job(s): {}", catalog.all().size(), catalog.all().stream()
                    .map(j -> j.name() + " (" + j.provider() + " " + j.dataset() + "/" + j.method() + ", "
                            + (j.isOnce() ? "once" : "cron " + j.schedule()) + ", " + j.sink() + ")").toList());
        }

        /** When jobs write to S3: checks the settings, makes the S3 client, and empties their spool folders. */
        private void useS3(CamelContext context, List<String> s3Jobs) {
            if (s3Jobs.isEmpty()) {
                return;
            }
            String bucket = s3Settings.requireBucket(s3Jobs.get(0));
            // the SDK reads the credentials itself; those it would find in the environment are kept out of the logs
            for (String secret : List.of("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "aws.secretAccessKey",
                    "aws.sessionToken")) {
                Secrets.get(secret);
            }
            // built on a thread of its own (above, or by the start-up check); the route's upload endpoint looks it up
            // at its first use
            if (s3Client == null) {
                s3Client = new S3Clients.Shared(s3Settings);
            }
            context.getRegistry().bind("s3Client", S3Client.class, s3Client::get);
            s3Check = S3Check.start(s3Client, s3Settings);
            s3Sink.cleanSpool(s3Jobs);
            LOG.info("S3 sink for {}: s3://{}/{} at {}, {} objects, spooled under {}", s3Jobs, bucket,
                    s3Settings.prefix(), s3Settings.endpointText(),
                    s3Settings.compression().suffix().isEmpty() ? "uncompressed" : "gzip", s3Settings.spoolDir());
        }

        private HikariDataSource openDataSource() {
            String url = settings.text("bulkexport.state.url", "jdbc:h2:file:./data/state/bulk-export");
            if (url.startsWith("jdbc:h2:") && !url.toUpperCase(java.util.Locale.ROOT).contains("DB_CLOSE_ON_EXIT")) {
                // H2 would close the database from its own shutdown hook, while a graceful stop (SIGTERM) is
                // still finishing files and recording them: it is closed here, after Camel has stopped
                url = url + ";DB_CLOSE_ON_EXIT=FALSE";
            }
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            settings.optional("bulkexport.state.user").ifPresent(config::setUsername);
            settings.optional("bulkexport.state.password").ifPresent(config::setPassword);
            config.setMaximumPoolSize((int) settings.whole("bulkexport.state.pool-size", 4, 1));
            config.setPoolName("bulkexport-state");
            try {
                dataSource = new HikariDataSource(config);
                return dataSource;
            } catch (RuntimeException e) {
                Throwable root = e;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                throw new ConfigurationException("cannot open the state database (bulkexport.state.url): "
                        + root.getMessage().lines().findFirst().orElse("") + " — is another instance using it?");
            }
        }

        private void startSandbox(CamelContext context) {
            SandboxSettings sandboxSettings = SandboxSettings.defaults()
                    .withFilesPerRequest((int) settings.whole("bulkexport.sandbox.files", 3, 1))
                    .withRecordsPerFile((int) settings.whole("bulkexport.sandbox.records-per-file", 1000, 1))
                    .withRecordBytes((int) settings.whole("bulkexport.sandbox.record-bytes", 1000, 100))
                    .withReadyAfter(Duration.ofMillis(Math.round(
                            settings.decimal("bulkexport.sandbox.ready-after-seconds", 2, 0) * 1000)))
                    .withMalformedEvery((int) settings.whole("bulkexport.sandbox.malformed-every", 0, 0))
                    .withPort((int) settings.whole("bulkexport.sandbox.port", 0, 0));
            sandboxes = Sandboxes.start(sandboxSettings);
            Properties withSandbox = new Properties();
            withSandbox.putAll(overrides);
            withSandbox.putAll(sandboxes.properties());
            context.getPropertiesComponent().setOverrideProperties(withSandbox);
            LOG.info("sandbox: the built-in vendor emulators answer at {} (bulkexport.sandbox.enabled=true);"
                    + " nothing leaves this machine", sandboxes.properties().values());
        }
    }
}
