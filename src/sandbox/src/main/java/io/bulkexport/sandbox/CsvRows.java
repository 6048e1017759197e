package io.bulkexport.sandbox;

import java.util.List;

/**
 * Business-like CSV rows that are awkward on purpose, deterministic in their id: quoted commas, doubled quotes,
 * values spanning lines (LF and CRLF), empty values and non-ASCII text. Written by hand (not by a CSV library), so a
 * client's CSV parser is checked against independent output.
 */
public final class CsvRows {
    /** The header row's column names. */
    public static final List<String> COLUMNS = List.of("id", "name", "address", "city", "description", "rating");

    private static final String[] NAMES = {
        "Hotel \"Zoë\", Austin", "Café Québec", "東京ホテル", "O'Neill's Inn", "Motel 6", "Łódź Grand, \"Old Town\"",
        "Ærø Kro", "The \"Quoted\" Place"};
    private static final String[] STREETS = {"Main St, Suite 4", "Congress Ave", "Rue de l'Église, 2e étage",
        "Straße des 17. Juni", "5th Ave, Floor \"B\""};
    private static final String[] CITIES = {"Austin", "Montréal", "東京", "Kraków", "Zürich", "São Paulo"};
    private static final String[] DESCRIPTIONS = {
        "Quiet rooms, free breakfast", "First line\nsecond line, with a comma", "Windows line\r\nbreak",
        "She said \"great\", then left", "", "Emoji-free, but naïve café façade"};

    private CsvRows() {
    }

    /** The values of the row with this id, in {@link #COLUMNS} order. */
    public static List<String> values(long id) {
        int n = (int) (id % 9973);
        return List.of(String.valueOf(id), NAMES[n % NAMES.length], (n % 97 + 1) + " " + STREETS[n % STREETS.length],
                CITIES[n % CITIES.length], DESCRIPTIONS[n % DESCRIPTIONS.length], String.valueOf(1 + n % 5) + ".5");
    }

    /** Appends one CSV line (with its line break), quoting values that need it. */
    public static void appendLine(StringBuilder out, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            String value = values.get(i);
            if (value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r")) {
                out.append('"').append(value.replace("\"", "\"\"")).append('"');
            } else {
                out.append(value);
            }
        }
        out.append('\n');
    }
}
