package io.bulkexport.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulkexport.config.ConfigurationException;
import io.bulkexport.provider.CallTarget;
import io.bulkexport.provider.ProviderSpec;
import io.bulkexport.provider.RequestTemplate;

/**
 * Reads what a job asks its provider for: the provider's job options (with the provider's defaults), the limit or
 * the explicit wish for every record, the data format, and the request file; then checks the provider's templates
 * against them, so that a job that could not be sent is refused at start-up.
 */
final class JobRequestReader {
    /** Options with a meaning of their own; any other option the provider declares is plain text. */
    static final String REQUEST = "request";
    static final String LIMIT = "limit";
    static final String ALL_RECORDS = "all_records";
    static final String FORMAT = "format";
    private static final String SAMPLE_REQUEST_ID = "00000000-0000-4000-8000-000000000000";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What {@link #read} found. */
    record Found(Path request, Long limit, byte[] upload, String format, Map<String, String> options,
                 Map<String, Object> values) {
    }

    private final ProviderSpec provider;
    private final Map<String, Object> yaml;
    private final Path jobFile;
    private final String where;

    JobRequestReader(ProviderSpec provider, Map<String, Object> yaml, Path jobFile) {
        this.provider = provider;
        this.yaml = yaml;
        this.jobFile = jobFile;
        this.where = "job file " + jobFile;
    }

    Found read(String dataset, String method) {
        Map<String, String> options = new LinkedHashMap<>();
        provider.jobOptions().forEach((key, option) -> {
            if (!key.equals(REQUEST) && !key.equals(LIMIT) && !key.equals(ALL_RECORDS)) {
                String value = JobCatalog.text(yaml, key, option.defaultText(), where);
                if (value != null) {
                    options.put(key, value);
                }
                if (value != null && option.values() != null && !option.values().contains(value)) {
                    throw new ConfigurationException(where + ": " + key + " '" + value + "' is not one of "
                            + option.values());
                }
            }
            if (option.required() && !options.containsKey(key) && yaml.get(key) == null) {
                throw new ConfigurationException(where + ": '" + key + "' is missing (provider " + provider.getName()
                        + " needs it)");
            }
        });
        Long limit = limit();
        String format = format(options);
        Path requestFile = requestFile();
        boolean upload = provider.isUpload(method);
        byte[] uploaded = upload && requestFile != null ? readUpload(requestFile) : null;
        JsonNode requestJson = !upload && requestFile != null ? readJson(requestFile) : null;

        Map<String, Object> values = new LinkedHashMap<>();
        provider.jobOptions().keySet().forEach(key -> values.put(key, null));
        values.putAll(options);
        values.put("dataset", dataset);
        values.put("method", method);
        values.put(LIMIT, limit);
        values.put(ALL_RECORDS, null);
        values.put(FORMAT, provider.formats().getOrDefault(format, format));
        values.put(REQUEST, requestJson);
        values.put(JobDefinition.SINCE, null); // known to the templates; a run sets it (JobDefinition#templateValues)
        checkTemplates(options, values);
        return new Found(requestFile, limit, uploaded, format, Map.copyOf(options),
                java.util.Collections.unmodifiableMap(values));
    }

    private Long limit() {
        Object value = yaml.get(LIMIT);
        Long limit = null;
        if (value != null) {
            if (!(value instanceof Number n) || n.longValue() <= 0 || n.doubleValue() != n.longValue()) {
                throw new ConfigurationException(where + ": limit must be a positive whole number, not '" + value + "'");
            }
            limit = n.longValue();
        }
        Object all = yaml.get(ALL_RECORDS);
        if (all != null && !(all instanceof Boolean)) {
            throw new ConfigurationException(where + ": all_records must be true or false, not '" + all + "'");
        }
        boolean everything = Boolean.TRUE.equals(all);
        if (everything && limit != null) {
            throw new ConfigurationException(where + ": set either limit or all_records: true, not both");
        }
        if (provider.limitRequired() && limit == null && !everything) {
            throw new ConfigurationException(where + ": no limit — provider " + provider.getName() + " would download"
                    + " every match and charge for all of them; set limit: N, or all_records: true if you mean it");
        }
        return limit;
    }

    private String format(Map<String, String> options) {
        if (provider.formats().isEmpty()) {
            return "json";
        }
        String format = options.getOrDefault(FORMAT, provider.formats().keySet().iterator().next()).toLowerCase();
        if (!provider.formats().containsKey(format)) {
            throw new ConfigurationException(where + ": format '" + format + "' is not offered by " + provider.getName()
                    + " (offered: " + String.join(", ", provider.formats().keySet()) + ")");
        }
        options.put(FORMAT, format);
        return format;
    }

    private Path requestFile() {
        if (!provider.jobOptions().containsKey(REQUEST)) {
            return null;
        }
        String path = JobCatalog.text(yaml, REQUEST, null, where);
        if (path == null) {
            return null;
        }
        return jobFile.getParent().resolve(path).normalize();
    }

    private JsonNode readJson(Path request) {
        JsonNode query;
        try {
            query = JSON.readTree(readBounded(request));
        } catch (IOException e) {
            String reason = e instanceof JsonProcessingException json
                    ? "is not valid JSON (" + json.getOriginalMessage() + ")" : "cannot be read (" + e + ")";
            throw new ConfigurationException(where + ": request file " + request + " " + reason);
        }
        if (query == null || !query.isObject()) {
            throw new ConfigurationException(where + ": request file " + request + " must hold a JSON object");
        }
        return query;
    }

    /**
     * The most a request file may hold: far above any real one (Coresignal's id lists hold at most 10,000 ids, a
     * JSON query a few kilobytes), far below what a mistaken path (a data file, a dump) would make the job send.
     */
    static final long MAX_REQUEST_BYTES = 1 << 20;

    private byte[] readBounded(Path request) throws IOException {
        long size = Files.size(request);
        if (size > MAX_REQUEST_BYTES) {
            throw new ConfigurationException(where + ": request file " + request + " holds " + size + " bytes, more"
                    + " than a request may (" + MAX_REQUEST_BYTES + " bytes: a JSON query is a few kilobytes, an id"
                    + " list at most 10,000 ids): is it the right file? Split a longer id list into several jobs");
        }
        return Files.readAllBytes(request);
    }

    private byte[] readUpload(Path request) {
        try {
            byte[] content = readBounded(request);
            if (content.length == 0) {
                throw new ConfigurationException(where + ": request file " + request + " is empty");
            }
            return content;
        } catch (IOException e) {
            throw new ConfigurationException(where + ": request file " + request + " cannot be read (" + e + ")");
        }
    }

    /** Fills every template the job's submission and download will use, with a sample request id and no webhook. */
    private void checkTemplates(Map<String, String> options, Map<String, Object> values) {
        Map<String, Object> sample = new LinkedHashMap<>(values);
        sample.put("requestId", SAMPLE_REQUEST_ID);
        sample.put("webhookUrl", null);
        RequestTemplate templates = provider.templates();
        try {
            if (provider.submitBody() != null) {
                templates.json(provider.submitBody(), sample, true);
            }
            if (provider.submitQuery() != null) {
                templates.query(provider.submitQuery(), sample);
            }
            provider.jobOptions().forEach((key, option) -> {
                if ("call".equals(option.type()) && options.containsKey(key)) {
                    CallTarget.parse(key, options.get(key)).path(templates, sample);
                }
            });
        } catch (ConfigurationException e) {
            throw new ConfigurationException(where + ": " + e.getMessage());
        }
    }
}
