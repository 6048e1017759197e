package io.bulkexport.vendor;

import java.util.regex.Pattern;

/**
 * Takes credentials out of text meant for people: a URL's query string (where a presigned URL keeps its signature)
 * and user info. Applied to every message that may quote a URL before it reaches a log, an exception or the state.
 */
public final class Redaction {
    private static final Pattern QUERY = Pattern.compile("(?i)\\b(https?://)(?:[^/\\s@\"'<>]*@)?([^\\s?#\"'<>]*)\\?[^\\s\"'<>]*");

    private Redaction() {
    }

    /** The text with every URL's query string replaced by {@code ?…} and its user info dropped. */
    public static String withoutQueries(String text) {
        return text == null ? null : QUERY.matcher(text).replaceAll("$1$2?…");
    }
}
