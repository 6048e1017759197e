package io.bulkexport.provider;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.bulkexport.config.ConfigurationException;

/**
 * What the bundle must know about a provider before any route runs: the credentials it needs, the datasets and
 * methods it offers, what a job of it may and must say (with the provider's defaults), how a job becomes the
 * submission (templates), who makes the request id, and hints for its error answers. Declared as a bean in the
 * provider's routes file ({@code routes/providers/NAME.yaml}) under the provider's name.
 */
public class ProviderSpec {
    /** Dataset name that stands for any dataset: for APIs whose data types are not listed. */
    public static final String ANY_DATASET = "*";

    private String name;
    private final List<String> credentialEnvs = new ArrayList<>();
    private final Map<String, Set<String>> datasets = new LinkedHashMap<>();
    private final Set<String> uploadMethods = new LinkedHashSet<>();
    private final Map<Integer, String> errorHints = new LinkedHashMap<>();
    private final Set<String> jobOptions = new LinkedHashSet<>();
    private final Set<String> requiredOptions = new LinkedHashSet<>();
    private final Map<String, String> jobDefaults = new LinkedHashMap<>();
    private final Map<String, String> formats = new LinkedHashMap<>();
    private boolean clientRequestIds;
    private boolean limitRequired;
    private String submitBody;
    private String submitQuery;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    /** The environment variables holding the provider's credentials, space separated; all are needed. */
    public void setCredentialEnv(String names) {
        credentialEnvs.clear();
        credentialEnvs.addAll(words(names));
    }

    public List<String> credentialEnvs() {
        return credentialEnvs;
    }

    /** Datasets and their methods, written {@code dataset: method method; dataset: method}; {@code *} is any dataset. */
    public void setDatasets(String declaration) {
        datasets.clear();
        for (String entry : entries(declaration)) {
            String[] parts = entry.split(":", 2);
            if (parts.length != 2 || parts[1].isBlank()) {
                throw new ConfigurationException("provider " + name + ": datasets entry '" + entry
                        + "' must read 'dataset: method method…'");
            }
            datasets.put(parts[0].trim(), new LinkedHashSet<>(words(parts[1])));
        }
    }

    public Map<String, Set<String>> datasets() {
        return datasets;
    }

    /** The methods of a dataset, or null when the provider has no such dataset. */
    public Set<String> methods(String dataset) {
        return datasets.getOrDefault(dataset, datasets.get(ANY_DATASET));
    }

    /** Methods whose request is a file uploaded as it is (a CSV of ids), space separated. */
    public void setUploadMethods(String methods) {
        uploadMethods.clear();
        uploadMethods.addAll(words(methods));
    }

    public boolean isUpload(String method) {
        return uploadMethods.contains(method);
    }

    /** Hints added to the vendor's own words for an error status, written {@code 402=…; 409=…}. */
    public void setErrorHints(String declaration) {
        errorHints.clear();
        pairs(declaration, "errorHints").forEach((status, hint) -> errorHints.put(Integer.parseInt(status), hint));
    }

    public String errorHint(int status) {
        return errorHints.get(status);
    }

    /**
     * The job file keys a job of this provider may use beyond the common ones (name, provider, dataset, method,
     * schedule, sink), space separated: {@code request query limit all_records format view create download encoding}.
     */
    public void setJobOptions(String keys) {
        jobOptions.clear();
        jobOptions.addAll(words(keys));
    }

    public Set<String> jobOptions() {
        return jobOptions;
    }

    /** Job options every job must set (or get from {@link #setJobDefaults}), space separated. */
    public void setRequiredOptions(String keys) {
        requiredOptions.clear();
        requiredOptions.addAll(words(keys));
    }

    public Set<String> requiredOptions() {
        return requiredOptions;
    }

    /** Values of job options for jobs that do not set them, written {@code key=value; key=value}. */
    public void setJobDefaults(String declaration) {
        jobDefaults.clear();
        jobDefaults.putAll(pairs(declaration, "jobDefaults"));
    }

    public Map<String, String> jobDefaults() {
        return jobDefaults;
    }

    /**
     * The data formats a job may ask for, each with the vendor's name for it, written {@code json=JSON csv=CSV};
     * the first is the default. Formats are {@code json} (JSON Lines) and {@code csv} (a header row).
     */
    public void setFormats(String declaration) {
        formats.clear();
        for (String entry : words(declaration)) {
            String[] parts = entry.split("=", 2);
            formats.put(parts[0], parts.length > 1 ? parts[1] : parts[0]);
        }
    }

    public Map<String, String> formats() {
        return formats;
    }

    /** {@code client}: the bundle makes a random UUID and stores it before the creation call; {@code vendor} (default). */
    public void setRequestIds(String source) {
        if (!source.equals("client") && !source.equals("vendor")) {
            throw new ConfigurationException("provider " + name + ": requestIds must be client or vendor, not '"
                    + source + "'");
        }
        clientRequestIds = source.equals("client");
    }

    public boolean clientRequestIds() {
        return clientRequestIds;
    }

    /** True when a job must set a limit, or say {@code all_records: true}: without one the vendor charges for all. */
    public void setLimitRequired(boolean limitRequired) {
        this.limitRequired = limitRequired;
    }

    public boolean limitRequired() {
        return limitRequired;
    }

    /** The JSON body of the submission, a {@link RequestTemplate}; null when the submission has none. */
    public void setSubmitBody(String template) {
        this.submitBody = template;
    }

    public String submitBody() {
        return submitBody;
    }

    /** The query string of the submission, a {@link RequestTemplate}; null when it has none. */
    public void setSubmitQuery(String template) {
        this.submitQuery = template;
    }

    public String submitQuery() {
        return submitQuery;
    }

    private static List<String> words(String text) {
        return text == null ? List.of() : Arrays.stream(text.trim().split("[\\s,]+")).filter(s -> !s.isEmpty()).toList();
    }

    /** {@code key=value; key=value}, in order. */
    private Map<String, String> pairs(String declaration, String property) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String entry : entries(declaration)) {
            String[] parts = entry.split("=", 2);
            if (parts.length != 2) {
                throw new ConfigurationException("provider " + name + ": " + property + " entry '" + entry
                        + "' must read 'key=value'");
            }
            pairs.put(parts[0].trim(), parts[1].trim());
        }
        return pairs;
    }

    private static List<String> entries(String declaration) {
        return Arrays.stream(declaration.split(";")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
