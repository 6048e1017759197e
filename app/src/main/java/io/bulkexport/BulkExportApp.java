package io.bulkexport;

import java.util.Map;

/** Entry point of the runnable jar: {@code java -jar target/bulk-export.jar}, from the project folder. */
public final class BulkExportApp {
    private BulkExportApp() {
    }

    public static void main(String[] args) {
        System.exit(new BulkExport(Map.of()).run());
    }
}
