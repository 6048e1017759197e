package io.bulkexport.sink;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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

    /**
     * The output path of each of a request's files: {@link #outputName} where that is the file's alone, else one that
     * keeps what the extensions said. Names that differ only in their extensions ({@code a.json.gz},
     * {@code a.jsonl.gz}, {@code a.JSON}) would otherwise land as one {@code a.jsonl}, each overwriting the other's
     * records; they land as {@code a_json_gz.jsonl}, {@code a_jsonl_gz.jsonl}, {@code a_JSON.jsonl} (with {@code ~2},
     * {@code ~3}… if even that is taken). The same names give the same paths, in any order, so a resumed or
     * taken-over run writes where it began. Names that cannot become a path are left out (each fails on its own).
     */
    public static Map<String, String> outputNames(Collection<String> vendorNames) {
        Map<String, List<String>> byOutput = new TreeMap<>();
        for (String name : new TreeSet<>(vendorNames)) {
            try {
                byOutput.computeIfAbsent(outputName(name), n -> new ArrayList<>()).add(name);
            } catch (UnsafeNameException e) {
                // refused when that file is attempted
            }
        }
        Map<String, String> names = new TreeMap<>();
        Set<String> taken = new HashSet<>();
        byOutput.forEach((output, sharing) -> {
            if (sharing.size() == 1) {
                names.put(sharing.get(0), output);
                taken.add(output);
            }
        });
        byOutput.forEach((output, sharing) -> {
            if (sharing.size() == 1) {
                return;
            }
            for (String name : sharing) {
                String folder = output.contains("/") ? output.substring(0, output.lastIndexOf('/') + 1) : "";
                String last = name.substring(name.lastIndexOf('/') + 1);
                String base = last.replace('.', '_');
                String candidate = folder + base + ".jsonl";
                for (int n = 2; !taken.add(candidate); n++) {
                    candidate = folder + base + "~" + n + ".jsonl";
                }
                names.put(name, candidate);
            }
        });
        return names;
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
