package io.bulkexport;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import io.bulkexport.run.InstanceId;

/**
 * Entry point of the runnable jar: {@code java -jar target/bulk-export.jar}, from the project folder, runs the app;
 * {@code java -jar target/bulk-export.jar status [--json]} prints where every job stands; {@code plan [--json]} what
 * each job would do and send, sending and recording nothing.
 */
public final class BulkExportApp {
    private BulkExportApp() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("status")) {
            System.exit(StatusCommand.run(Arrays.asList(args).subList(1, args.length), System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("plan")) {
            boolean json = Arrays.asList(args).subList(1, args.length).equals(java.util.List.of("--json"));
            if (args.length > 2 || (args.length == 2 && !json)) {
                System.err.println("bulk-export plan: unknown option " + args[args.length - 1]
                        + "; usage: bulk-export plan [--json]");
                System.exit(2);
            }
            // the plan is the output: the application's own log lines only when something is wrong
            org.apache.logging.log4j.core.config.Configurator.setRootLevel(org.apache.logging.log4j.Level.WARN);
            System.exit(new BulkExport(Map.of("bulkexport.run-mode", "plan", "bulkexport.plan.format",
                    json ? "json" : "text")).run());
        }
        if (args.length > 0) {
            System.err.println("bulk-export: unknown command " + args[0] + "; usage: bulk-export [status [--json] |"
                    + " plan [--json]] (settings as -D options, e.g. -Dbulkexport.run-mode=once)");
            System.exit(2);
        }
        nameTheInstance();
        System.exit(new BulkExport(Map.of()).run());
    }

    /**
     * Fixes the instance id before logging starts, so that every log line carries it (the log pattern reads system
     * property {@value InstanceId#SETTING}): as set (-D option, environment variable BULKEXPORT_INSTANCE_ID, the
     * configuration file), else the default, host name and process id.
     */
    private static void nameTheInstance() {
        String id = System.getProperty(InstanceId.SETTING);
        if (blank(id)) {
            id = System.getenv("BULKEXPORT_INSTANCE_ID");
        }
        if (blank(id)) {
            try {
                id = ConfigFile.read(Path.of(System.getProperty(BulkExport.CONFIG, BulkExport.DEFAULT_CONFIG)))
                        .getProperty(InstanceId.SETTING);
            } catch (java.io.UncheckedIOException e) {
                id = null; // the app reports an unreadable configuration file itself
            }
        }
        System.setProperty(InstanceId.SETTING, blank(id) ? InstanceId.defaultId() : id.trim());
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
