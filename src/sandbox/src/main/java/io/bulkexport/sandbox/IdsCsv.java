package io.bulkexport.sandbox;

import java.util.LinkedHashSet;
import java.util.Set;

/** Reads the ids of an uploaded ids file: one integer id per line (first CSV column), optional header line. */
final class IdsCsv {

    private IdsCsv() {
    }

    /**
     * The distinct ids, in file order.
     *
     * @throws IllegalArgumentException with a message fit for the API's "detail" if the file has more than
     *                                  {@code maxIds} ids, none, or a line that is not an id
     */
    static long[] parse(String text, int maxIds) {
        Set<Long> ids = new LinkedHashSet<>();
        int count = 0;
        boolean firstValue = true;
        for (String line : text.split("\r\n|\r|\n")) {
            String cell = firstColumn(line);
            if (cell.isEmpty()) {
                continue;
            }
            Long id = parseId(cell);
            if (id == null) {
                if (firstValue) {
                    firstValue = false; // a header line
                    continue;
                }
                throw new IllegalArgumentException("Invalid ID in file: " + cell);
            }
            firstValue = false;
            if (++count > maxIds) {
                throw new IllegalArgumentException("File contains too many IDs");
            }
            ids.add(id);
        }
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("File contains no IDs");
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    private static String firstColumn(String line) {
        int comma = line.indexOf(',');
        String cell = (comma < 0 ? line : line.substring(0, comma)).replace("\uFEFF", "").strip();
        if (cell.length() >= 2 && cell.startsWith("\"") && cell.endsWith("\"")) {
            cell = cell.substring(1, cell.length() - 1).strip();
        }
        return cell;
    }

    private static Long parseId(String cell) {
        try {
            return Long.parseLong(cell);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
