package io.bulkexport.sink;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.bulkexport.config.ConfigurationException;

/**
 * Where a run's files land under the sink's root (the output folder, or the bucket's prefix): {@code bulkexport.layout},
 * a path of fixed segments and placeholders, e.g. {@code {job}/dt={date}/{request}} for Hive-style date partitions.
 * The files and the manifest go into that folder. Placeholders: {@code {job}}, {@code {provider}},
 * {@code {dataset}}, {@code {request}} (the vendor's request id), {@code {run}} (the run's id), and of the run's
 * submission in UTC {@code {date}} (2026-12-06), {@code {year}}, {@code {month}}, {@code {day}}. It must hold
 * {@code {request}} or {@code {run}}, so that every run has a folder of its own; a trailing {@code /{file}} may be
 * written and means the same. Checked at start-up; a run keeps the folder it started with (the ledger records it).
 */
public final class Layout {
    /** The folder of a run when the setting says nothing else. */
    public static final String DEFAULT = "{job}/{request}";
    /** The setting. */
    public static final String SETTING = "bulkexport.layout";
    private static final Set<String> NAMES = Set.of("job", "provider", "dataset", "request", "run", "date", "year",
            "month", "day");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)}");
    private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._=-]*");

    private final String template;
    private final List<String> segments;

    private Layout(String template, List<String> segments) {
        this.template = template;
        this.segments = segments;
    }

    /** The layout as set, checked: a mistake is a configuration error naming the setting and what is wrong. */
    public static Layout parse(String text) {
        String layout = text.trim();
        if (layout.endsWith("/{file}")) {
            layout = layout.substring(0, layout.length() - "/{file}".length());
        }
        List<String> segments = List.of(layout.split("/", -1));
        Set<String> used = new TreeSet<>();
        for (String segment : segments) {
            Matcher placeholder = PLACEHOLDER.matcher(segment);
            while (placeholder.find()) {
                if (!NAMES.contains(placeholder.group(1))) {
                    throw error(text, "{" + placeholder.group(1) + "} is not a placeholder (known: {"
                            + String.join("}, {", new TreeSet<>(NAMES)) + "}; {file} only at the end)");
                }
                used.add(placeholder.group(1));
            }
            String literal = PLACEHOLDER.matcher(segment).replaceAll("");
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || !LITERAL.matcher(literal).matches()) {
                throw error(text, "the segment '" + segment + "' is not a folder name (letters, digits, '.', '_',"
                        + " '=' and '-' around the placeholders; no empty, '.' or '..' segment)");
            }
        }
        if (!used.contains("request") && !used.contains("run")) {
            throw error(text, "it must hold {request} or {run}, so that each run lands in a folder of its own");
        }
        return new Layout(layout, segments);
    }

    private static ConfigurationException error(String text, String what) {
        return new ConfigurationException(SETTING + " = '" + text + "': " + what + "; e.g. " + DEFAULT
                + " or {job}/dt={date}/{request}");
    }

    /** The folder of a run, each value checked to be one safe path segment. */
    public String folder(String job, String provider, String dataset, String requestId, String runId,
                         Instant submittedAt) {
        String date = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC).format(submittedAt);
        Map<String, String> values = new java.util.HashMap<>();
        values.put("job", job);
        values.put("provider", provider);
        values.put("dataset", dataset);
        values.put("request", requestId);
        values.put("run", runId);
        values.put("date", date);
        values.put("year", date.substring(0, 4));
        values.put("month", date.substring(5, 7));
        values.put("day", date.substring(8, 10));
        List<String> out = new ArrayList<>();
        for (String segment : segments) {
            Matcher placeholder = PLACEHOLDER.matcher(segment);
            StringBuilder filled = new StringBuilder();
            while (placeholder.find()) {
                String value = values.get(placeholder.group(1));
                if (value == null) {
                    throw new IllegalStateException("no " + placeholder.group(1) + " for the layout " + template);
                }
                placeholder.appendReplacement(filled, Matcher.quoteReplacement(value));
            }
            placeholder.appendTail(filled);
            out.add(SafePaths.segment(filled.toString(), "layout segment " + segment));
        }
        return String.join("/", out);
    }

    /** The fixed folders before the first placeholder ("" when it starts with one): where every run's folder is. */
    public String fixedPrefix() {
        List<String> fixed = new ArrayList<>();
        for (String segment : segments) {
            if (segment.contains("{")) {
                break;
            }
            fixed.add(segment);
        }
        return String.join("/", fixed);
    }

    /** True when each job's runs are under a folder of the job's own: {@code {job}/…}. */
    public boolean startsWithJob() {
        return segments.get(0).equals("{job}");
    }

    @Override
    public String toString() {
        return template;
    }
}
