package io.bulkexport.run;

import java.time.Duration;

import io.bulkexport.sink.SinkException;
import io.bulkexport.vendor.Redaction;
import io.bulkexport.vendor.VendorException;
import io.bulkexport.vendor.VendorText;

/** How the run life cycle says things to a person: failures without stack traces, durations, what to do next. */
public final class RunText {
    private RunText() {
    }

    /** A failure in words, without stack trace, query strings or control characters. */
    public static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown error";
        }
        // the bundle's own words for a vendor's or a sink's failure, however Camel wrapped it (a split wraps it)
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof VendorException || t instanceof SinkException) {
                return VendorText.printable(Redaction.withoutQueries(t.getMessage()));
            }
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        // this bundle's own exceptions are written for people; a library's needs its class to make sense
        // ("SocketTimeoutException: Read timed out")
        boolean own = root.getClass().getName().startsWith("io.bulkexport.");
        String text = root.getMessage() == null ? root.getClass().getSimpleName()
                : own ? root.getMessage() : root.getClass().getSimpleName() + ": " + root.getMessage();
        return VendorText.printable(Redaction.withoutQueries(text));
    }

    /** What to do about a submission whose outcome is unknown: look for it, then attach it or pay for a new run. */
    static String resolution(String jobName, String requestId) {
        return "Look for the request" + (requestId == null ? "" : " " + requestId) + " in your vendor account: if it"
                + " is there, resume it with -Dbulkexport.attach." + jobName + "="
                + (requestId == null ? "<request id>" : requestId) + "; if not, start a new paid run with"
                + " -Dbulkexport.new-run=" + jobName + ".";
    }

    /** ": message", or nothing when there is none. */
    static String suffix(String message) {
        return message == null || message.isBlank() ? "" : ": " + message;
    }

    static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 1) {
            return d.toMillis() + " ms";
        }
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return (s / 60) + " min " + (s % 60) + " s";
        }
        return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }
}
