package io.bulkexport;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import io.bulkexport.config.ConfigurationException;
import io.bulkexport.config.Defaults;
import io.bulkexport.config.Secrets;
import io.bulkexport.config.Settings;
import io.bulkexport.run.SpendControl;
import io.bulkexport.state.StateDatabase;
import io.bulkexport.state.StateStore;
import io.bulkexport.state.StateStoreException;
import io.bulkexport.status.StatusReport;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * {@code bin/bulk-export status [--json]}: where every job stands, read from the state database the configuration
 * names (as the service would read it: the configuration file, then {@code -D} options), without starting anything.
 * Exit 0 with the report, 2 when the database cannot be read (the message says why).
 */
final class StatusCommand {
    private StatusCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        boolean json = args.contains("--json");
        List<String> unknown = args.stream().filter(a -> !a.equals("--json")).toList();
        if (!unknown.isEmpty()) {
            err.println("bulk-export status: unknown option " + unknown.get(0) + "; usage: bin/bulk-export status"
                    + " [--json] (settings as -D options before it, e.g. -Dbulkexport.state.url=...)");
            return 2;
        }
        // the report is the output: Camel's and the pool's start and stop lines are not
        Configurator.setLevel("org.apache.camel", Level.WARN);
        Configurator.setLevel("com.zaxxer.hikari", Level.WARN);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            String config = System.getProperty(BulkExport.CONFIG, BulkExport.DEFAULT_CONFIG);
            if (Files.isRegularFile(Path.of(config))) {
                context.getPropertiesComponent().addLocation("file:" + config);
            } else if (System.getProperty(BulkExport.CONFIG) != null) {
                throw new ConfigurationException(config + " not found: point " + BulkExport.CONFIG
                        + " at your application.properties");
            }
            Defaults.install(context);
            Settings settings = new Settings(context);
            try (HikariDataSource dataSource = StateDatabase.open(settings, true)) {
                StateStore store = new StateStore(dataSource, Clock.systemUTC());
                SpendControl spend = new SpendControl(store, settings.under("bulkexport."));
                spend.use(null, null);
                StatusReport report = new StatusReport(store, Clock.systemUTC(),
                        settings.text("bulkexport.status.command"), spend::report);
                out.print(json ? report.json() + "\n" : report.text());
                return 0;
            }
        } catch (StateDatabase.HeldByAnotherProcess e) {
            err.println("bulk-export status: the embedded state database is open in a running bulk-export (H2 lets"
                    + " one process open it): ask that service instead, curl http://127.0.0.1:8080/api/status, or"
                    + " point bulkexport.state.url at PostgreSQL, which any number of readers can share");
            return 2;
        } catch (StateDatabase.Missing e) {
            err.println("bulk-export status: no runs yet: the state database named by bulkexport.state.url does not"
                    + " exist");
            return 2;
        } catch (ConfigurationException e) {
            err.println("bulk-export status: " + Secrets.redact(e.getMessage()));
            return 2;
        } catch (StateStoreException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            String said = String.valueOf(root.getMessage()).lines().findFirst().orElse("");
            err.println("bulk-export status: " + (said.toLowerCase().contains("not found")
                    ? "no runs yet: the state database holds no bulk-export tables (bulkexport.state.url)"
                    : "cannot read the state database (bulkexport.state.url): " + Secrets.redact(said)));
            return 2;
        } catch (java.io.IOException e) {
            err.println("bulk-export status: " + Secrets.redact(String.valueOf(e.getMessage())));
            return 2;
        }
    }
}
