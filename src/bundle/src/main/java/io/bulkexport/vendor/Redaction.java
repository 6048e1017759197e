package io.bulkexport.vendor;

import java.util.regex.Pattern;

import io.bulkexport.config.Secrets;

/**
 * Takes credentials out of text meant for people: every credential the bundle has read ({@link Secrets}), a URL's
 * query string (where a presigned URL keeps its signature) and user info. Applied to every message that may quote a
 * vendor's answer or a URL before it reaches a log, an exception or the state, so that the guarantee does not depend
 * on the logging backend.
 */
public final class Redaction {
    private static final Pattern QUERY = Pattern.compile("(?i)\\b(https?://)(?:[^/\\s@\"'<>]*@)?([^\\s?#\"'<>]*)\\?[^\\s\"'<>]*");

    private Redaction() {
    }

    /**
     * The text with every known credential replaced by {@code ***}, every URL's query string by {@code ?…}, and user
     * info dropped.
     */
    public static String withoutQueries(String text) {
        return text == null ? null : QUERY.matcher(Secrets.redact(text)).replaceAll("$1$2?…");
    }
}
