package io.bulkexport.sink;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Maps names a vendor hands out (file names, request ids) to paths that stay inside the job's output folder,
 * whatever the names hold. A name that cannot be mapped safely is refused with a message naming it.
 */
public final class SafePaths {
    private static final int MAX_SEGMENT = 200;
    private static final Pattern COMPRESSION = Pattern.compile("\\.(gz|gzip)$", Pattern.CASE_INSENSITIVE);
    private static final Pattern FORMAT = Pattern.compile("\\.(json|jsonl|ndjson|txt|csv)$", Pattern.CASE_INSENSITIVE);

    private SafePaths() {
    }

    /** One path segment: a request id or a job name. */
    public static String segment(String name, String what) {
        check(name, what);
        if (name.contains("/")) {
            throw new UnsafeNameException(what + " '" + printable(name) + "' contains '/'");
        }
        return name;
    }

    /**
     * The output path of a vendor file, relative to the request's folder: the vendor's sub-folders kept, the
     * compression and format extensions replaced by {@code .jsonl}.
     */
    public static String outputName(String vendorName) {
        check(vendorName, "file name");
        String[] segments = vendorName.split("/", -1);
        String last = segments[segments.length - 1];
        last = FORMAT.matcher(COMPRESSION.matcher(last).replaceFirst("")).replaceFirst("");
        if (last.isEmpty() || last.equals(".") || last.equals("..")) {
            throw new UnsafeNameException("file name '" + printable(vendorName) + "' has no usable base name");
        }
        segments[segments.length - 1] = last + ".jsonl";
        return String.join("/", segments);
    }

    /** Resolves a relative name under a root, refusing anything that would leave it. */
    public static Path under(Path root, String relative) {
        Path resolved = root.resolve(relative).normalize();
        if (!resolved.startsWith(root.normalize()) || resolved.equals(root.normalize())) {
            throw new UnsafeNameException("'" + printable(relative) + "' would be written outside " + root);
        }
        return resolved;
    }

    private static void check(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new UnsafeNameException(what + " is empty");
        }
        if (name.startsWith("/") || name.contains("\\") || name.matches("^[A-Za-z]:.*")) {
            throw new UnsafeNameException(what + " '" + printable(name) + "' is an absolute path or uses '\\'");
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw new UnsafeNameException(what + " '" + printable(name) + "' contains a control character");
            }
        }
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new UnsafeNameException(what + " '" + printable(name) + "' has an empty, '.' or '..' part");
            }
            if (segment.length() > MAX_SEGMENT) {
                throw new UnsafeNameException(what + " '" + printable(name).substring(0, 40) + "…' has a part longer"
                        + " than " + MAX_SEGMENT + " characters");
            }
        }
    }

    private static String printable(String name) {
        String shown = name.replaceAll("\\p{Cntrl}", "?");
        return shown.length() > 120 ? shown.substring(0, 120) + "…" : shown;
    }

    /** A vendor-supplied name that cannot become a path. */
    public static class UnsafeNameException extends RuntimeException {
        public UnsafeNameException(String message) {
            super(message);
        }
    }
}
