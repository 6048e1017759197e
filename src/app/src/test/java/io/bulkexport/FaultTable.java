package io.bulkexport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The table of vendor faults tried and what came of each, filled by the tests as they observe it, written to
 * {@code target/reliability/vendor-faults.md} and kept equal to the block between {@link #BEGIN} and {@link #END} in
 * docs/reliability.md: once every row is in, a page that says something else fails the suite, and
 * {@code -Dbulkexport.update-readme=true} rewrites the block instead. Rows come in the order of the row enum, and
 * their text must not depend on timing (see {@link #stable}). Quote what the application said as a code span
 * (backticks), so that placeholders like {@code <uuid>} show in the rendered page.
 */
final class FaultTable<R extends Enum<R> & FaultTable.Fault> {
    static final String BEGIN = "<!-- vendor-faults:begin -->";
    static final String END = "<!-- vendor-faults:end -->";
    static final Path PAGE = Path.of("docs/reliability.md");
    static final Path REPORT = Path.of("target/reliability/vendor-faults.md");

    /** One row of the table: the fault's name, in the order the table lists them. */
    interface Fault {
        String title();
    }

    private record Row(String where, String vendorDid, String outcome) {
    }

    private final Class<R> rows;
    private final Map<R, Row> observed;

    FaultTable(Class<R> rows) {
        this.rows = rows;
        this.observed = new EnumMap<>(rows);
    }

    /** What a test saw: where the fault was played, what the vendor did, and the export's end state. */
    synchronized void add(R fault, String where, String vendorDid, String outcome) {
        observed.put(fault, new Row(stable(where), stable(vendorDid), stable(outcome)));
    }

    /** The rows observed so far, as a Markdown table. */
    synchronized String markdown() {
        StringBuilder table = new StringBuilder("| fault | provider, endpoint | what the vendor did | outcome |\n"
                + "|---|---|---|---|\n");
        observed.entrySet().stream().sorted(Comparator.comparing(Map.Entry::getKey)).forEach(entry -> table
                .append("| ").append(cell(entry.getKey().title())).append(" | ").append(cell(entry.getValue().where()))
                .append(" | ").append(cell(entry.getValue().vendorDid())).append(" | ")
                .append(cell(entry.getValue().outcome())).append(" |\n"));
        return table.toString();
    }

    /**
     * Writes the report; once every fault has its row, compares it with docs/reliability.md (or, asked to,
     * rewrites its block). A partial table (a test filtered out, or failed) is written but not compared.
     *
     * @throws AssertionError when the page's table is not the one observed
     */
    synchronized void finish() throws IOException {
        String table = markdown();
        Files.createDirectories(REPORT.getParent());
        Files.writeString(REPORT, "# Vendor faults\n\n" + table, StandardCharsets.UTF_8);
        List<String> missing = new ArrayList<>();
        for (R fault : rows.getEnumConstants()) {
            if (!observed.containsKey(fault)) {
                missing.add(fault.title());
            }
        }
        if (!missing.isEmpty()) {
            System.out.println("vendor-faults table not compared with " + PAGE + ", rows missing: " + missing);
            return;
        }
        String readme = Files.readString(PAGE, StandardCharsets.UTF_8);
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new AssertionError(PAGE + " has no block " + BEGIN + " … " + END + " for the vendor-faults table");
        }
        String current = readme.substring(begin + BEGIN.length(), end);
        String wanted = "\n" + table;
        if (current.equals(wanted)) {
            return;
        }
        if (Boolean.getBoolean("bulkexport.update-readme")) {
            Files.writeString(PAGE, readme.substring(0, begin + BEGIN.length()) + wanted + readme.substring(end),
                    StandardCharsets.UTF_8);
            System.out.println(PAGE + ": vendor-faults table rewritten from what the suite observed");
            return;
        }
        throw new AssertionError(PAGE + "'s vendor-faults table is not what this run observed (" + REPORT + ")."
                + " If the change is intended, refresh it: mvn test -Dtest=VendorFaultsTest"
                + " -Dbulkexport.update-readme=true, and commit it.\nobserved:\n" + table
                + PAGE + ":" + current);
    }

    /** Takes out what differs from run to run: UUIDs (request ids, file names) and loopback ports. */
    static String stable(String text) {
        return text.replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>")
                .replaceAll("127\\.0\\.0\\.1:\\d+", "127.0.0.1:<port>")
                .replaceAll("was not ready after \\d+ (ms|s)", "was not ready after <time>");
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replaceAll("\\s+", " ").trim();
    }
}
