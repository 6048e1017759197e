package io.bulkexport.vendor;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Text from a vendor's answers is data, never code (docs/security.md): this is where the bundle makes it safe for the
 * three places it goes. A request id must look like one before it is stored ({@link #requestId}); a file name goes
 * into a URL path only percent-encoded, segment by segment ({@link #pathSegments}); free text (status messages,
 * error words) reaches logs and the ledger as one plain line ({@link #oneLine}). Nothing here evaluates anything:
 * Camel's Simple, property placeholders and endpoint URIs never see vendor text as their own text.
 */
public final class VendorText {
    /**
     * What a request id may hold: letters, digits and {@code . _ : -}, up to 200 characters. Every vendor's ids fit
     * (Coresignal and Datafiniti: numbers; the OAuth API: a UUID made here); anything else cannot go into a URL
     * path, a folder name, an object key or a suggested command as it is.
     */
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");
    /** Control characters, and the invisible ones that reorder or hide text (bidi overrides, zero-width). */
    private static final Pattern UNPRINTABLE = Pattern.compile("[\\p{Cntrl}\\p{Cf}\\u2028\\u2029]");
    private static final int LINE_LIMIT = 300;

    private VendorText() {
    }

    /** Whether the text is usable as a request id as it is (see {@link #REQUEST_ID}). */
    public static boolean isRequestId(String id) {
        return id != null && REQUEST_ID.matcher(id).matches();
    }

    /**
     * The request id, if it is usable as it is; else an {@link UnexpectedAnswerException} naming it, quoted and made
     * printable, and saying what is allowed.
     */
    public static String requestId(String id, String where) {
        if (!isRequestId(id)) {
            throw new UnexpectedAnswerException(where + " holds a request id that is not one: " + quoted(id)
                    + " (a request id is letters, digits and . _ : - only, up to 200 characters)");
        }
        return id;
    }

    /**
     * A file name as the path of a URL: each {@code /}-separated segment percent-encoded (every byte but letters,
     * digits and {@code - . _ ~}), so that {@code ?}, {@code #}, {@code %}, spaces or braces in a vendor's name are
     * that name's characters in the path the vendor decodes, never a query, a fragment or an escape of ours.
     */
    public static String pathSegments(String name) {
        StringBuilder path = new StringBuilder(name.length() + 16);
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c == '/' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '.' || c == '_' || c == '~') {
                path.append((char) c);
            } else {
                path.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return path.toString();
    }

    /**
     * Free text from a vendor as one printable line for a log or the ledger: control and invisible characters become
     * {@code ?}, runs of white space one space, at most 300 characters. Null stays null.
     */
    public static String oneLine(String text) {
        String line = printable(text);
        return line == null || line.length() <= LINE_LIMIT ? line : line.substring(0, LINE_LIMIT) + "…";
    }

    /** As {@link #oneLine}, however long. */
    public static String printable(String text) {
        if (text == null) {
            return null;
        }
        return UNPRINTABLE.matcher(text.replaceAll("\\s+", " ")).replaceAll("?").replaceAll(" {2,}", " ").strip();
    }

    /** The text in quotes, printable ({@link #oneLine}), for a message that names it. */
    public static String quoted(String text) {
        return text == null ? "none" : "'" + oneLine(text) + "'";
    }
}
