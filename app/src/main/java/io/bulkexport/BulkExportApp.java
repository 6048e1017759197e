package io.bulkexport;

import java.util.Arrays;
import java.util.Map;

/**
 * Entry point of the runnable jar: {@code java -jar target/bulk-export.jar}, from the project folder, runs the app;
 * {@code java -jar target/bulk-export.jar status [--json]} prints where every job stands.
 */
public final class BulkExportApp {
    private BulkExportApp() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("status")) {
            System.exit(StatusCommand.run(Arrays.asList(args).subList(1, args.length), System.out, System.err));
        }
        if (args.length > 0) {
            System.err.println("bulk-export: unknown command " + args[0] + "; usage: bulk-export [status [--json]]"
                    + " (settings as -D options, e.g. -Dbulkexport.run-mode=once)");
            System.exit(2);
        }
        System.exit(new BulkExport(Map.of()).run());
    }
}
