package io.bulkexport.job;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One export job, as declared in a job file under {@code config/}: which provider, dataset and method, what it
 * asks for, when it runs and where its records land.
 *
 * @param request      the job's request file, or null when the provider takes none
 * @param limit        the most records to ask for, or null for the provider's default
 * @param requestBody  the uploaded file's bytes for an upload method (a CSV of ids), else null
 * @param upload       true when the request is a file uploaded as it is, not a JSON query
 * @param format       {@code json} (JSON Lines) or {@code csv}: what the vendor sends and how it is decoded
 * @param options      the provider's job options (query, view, create, download, encoding…), defaults applied
 * @param values       what the provider's request templates may use, as {@code ${variable.NAME}}: dataset,
 *                     limit, format (the vendor's name for it), request, every option; see
 *                     {@link #templateValues(String)}
 * @param clientRequestId true when the bundle makes the request id (a random UUID) before the creation call
 * @param incremental  how {@code ${variable.since}} is written for the job: {@code since_format} and
 *                     {@code since_initial} of its file
 * @param transform    what each record becomes before it lands ({@code transform:} jq, or {@code transform_bean:}),
 *                     or null
 */
public record JobDefinition(
        String name,
        Path file,
        String provider,
        String dataset,
        String method,
        Path request,
        Long limit,
        String schedule,
        String sink,
        byte[] requestBody,
        boolean upload,
        String format,
        Map<String, String> options,
        Map<String, Object> values,
        boolean clientRequestId,
        Incremental incremental,
        Transform transform) {

    public static final String ONCE = "once";
    /** The template value of an incremental job: the start of its last DONE run. */
    public static final String SINCE = "since";
    private static final String SINCE_PLACEHOLDER = "${variable." + SINCE + "}";

    /**
     * How a job writes {@code ${variable.since}}.
     *
     * @param format  a {@link DateTimeFormatter} pattern, in UTC; null: ISO-8601 to the second, e.g.
     *                2026-12-06T06:00:00Z
     * @param initial the value before the job's first DONE run, or null: absent then
     */
    public record Incremental(String format, String initial) {
        public static final Incremental NONE = new Incremental(null, null);

        /** The cursor as the job writes it; {@link #initial} when there is none yet. */
        public String text(Instant cursor) {
            if (cursor == null) {
                return initial;
            }
            Instant second = cursor.truncatedTo(ChronoUnit.SECONDS);
            return format == null ? DateTimeFormatter.ISO_INSTANT.format(second)
                    : DateTimeFormatter.ofPattern(format).withZone(ZoneOffset.UTC).format(second);
        }
    }

    /**
     * A job's record transform: a jq program ({@code transform:}, compiled when the job file is read), or the name of
     * a {@link io.bulkexport.RecordTransform} bean ({@code transform_bean:}); one of the two.
     */
    public record Transform(io.bulkexport.RecordTransform jq, String bean) {
    }

    /** True when the job's request uses {@code ${variable.since}}: only then is it an incremental job. */
    public boolean usesSince() {
        return values.values().stream().anyMatch(value -> value != null
                && String.valueOf(value).contains(SINCE_PLACEHOLDER));
    }

    /** True for a one-shot job; false for a recurring job with a cron schedule. */
    public boolean isOnce() {
        return ONCE.equals(schedule);
    }

    /**
     * The most records a submission of the job may buy: its limit, or for an uploaded list of ids the ids it holds
     * (its non-blank lines after a header line); null when nothing caps it ("every match").
     */
    public Long mostRecords() {
        if (limit != null) {
            return limit;
        }
        if (upload && requestBody != null) {
            List<String> lines = new String(requestBody, java.nio.charset.StandardCharsets.UTF_8).lines()
                    .map(String::trim).filter(line -> !line.isEmpty()).toList();
            boolean header = !lines.isEmpty() && !lines.get(0).matches("[0-9]+");
            return (long) lines.size() - (header ? 1 : 0);
        }
        return null;
    }

    /** A job option (with the provider's default applied), or null. */
    public String option(String key) {
        return options.get(key);
    }

    /** The values for a request template, with {@code requestId} (null until the request id is known). */
    public Map<String, Object> templateValues(String requestId) {
        return templateValues(requestId, null, null);
    }

    /**
     * As {@link #templateValues(String)}, with the URL the vendor is to call when the request is ready (or null) and
     * {@code since} (or null). A job's own text option that holds {@code ${variable.since}} (a query) has it
     * written in as text; the job's request file is a template of its own, filled by the provider's.
     */
    public Map<String, Object> templateValues(String requestId, String webhookUrl, String since) {
        Map<String, Object> all = new LinkedHashMap<>(values);
        all.replaceAll((name, value) -> value instanceof String text && text.contains(SINCE_PLACEHOLDER)
                && since != null ? text.replace(SINCE_PLACEHOLDER, since) : value);
        all.put("requestId", requestId);
        all.put("webhookUrl", webhookUrl);
        all.put(SINCE, since);
        return all;
    }

    @Override
    public String toString() {
        return name;
    }
}
