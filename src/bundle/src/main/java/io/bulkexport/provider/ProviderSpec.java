package io.bulkexport.provider;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.bulkexport.config.ConfigurationException;

/**
 * What the bundle must know about a provider before any route runs, read from its declaration
 * ({@code routes/providers/NAME.provider.yaml}, described by {@code provider.schema.json}): how its API is called,
 * the datasets and methods it offers, what a job of it may and must say, how a job becomes the submission, who makes
 * the request id, hints for its error answers, and how its status answer maps to the pipeline's outcomes.
 * {@link ProviderDeclarations} reads it and binds it under the provider's name.
 */
public class ProviderSpec {
    /** Dataset name that stands for any dataset: for APIs whose data types are not listed. */
    public static final String ANY_DATASET = "*";

    private String name;
    private String docs;
    private Api api;
    private final Map<String, Set<String>> datasets = new LinkedHashMap<>();
    private final Set<String> uploadMethods = new LinkedHashSet<>();
    private final Map<String, JobOption> jobOptions = new LinkedHashMap<>();
    private final Map<String, String> formats = new LinkedHashMap<>();
    private RequestIds requestIds = RequestIds.vendor;
    private boolean limitRequired;
    private boolean webhooks;
    private Submit submit = new Submit(null, null);
    private final Map<Integer, String> errorHints = new LinkedHashMap<>();
    private StatusMapping status;
    private RequestTemplate templates;

    /** Who makes a request's id. */
    public enum RequestIds { vendor, client }

    /**
     * How the API is called: its base URL, its rate limit (or the provider whose limit it shares) and its credential.
     */
    public record Api(String baseUrl, Integer rate, String sharesRateWith, Auth auth) {
    }

    /** How the credential, read from the environment, is added inside the HTTP client; {@code type} says which. */
    public record Auth(String type, String header, String prefix, String credential, String tokenUrl, String clientId,
                       String clientSecret, String scope, String clientAuthentication) {
        /** The environment variables (or system properties) the credential is read from; all are needed. */
        public List<String> variables() {
            return "oauth-client-credentials".equals(type) ? List.of(clientId, clientSecret) : List.of(credential);
        }
    }

    /** A job file key of this provider: its type, whether a job must set it, its default, the values it may take. */
    public record JobOption(String type, String description, boolean required,
                            @JsonProperty("default") Object defaultValue, List<String> values) {
        public JobOption {
            type = type == null ? "string" : type;
        }

        /** The default as job-file text, or null. */
        public String defaultText() {
            return defaultValue == null ? null : String.valueOf(defaultValue);
        }
    }

    /** The submission: a JSON body template, or a query string template (one parameter per key). */
    public record Submit(JsonNode body, Map<String, String> query) {
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getDocs() {
        return docs;
    }

    public void setDocs(String docs) {
        this.docs = docs;
    }

    public Api api() {
        return api;
    }

    public void setApi(Api api) {
        this.api = api;
    }

    /** The environment variables holding the provider's credentials; all are needed. */
    public List<String> credentialEnvs() {
        return api == null || api.auth() == null ? List.of() : api.auth().variables();
    }

    public void setDatasets(Map<String, List<String>> datasets) {
        this.datasets.clear();
        datasets.forEach((dataset, methods) -> this.datasets.put(dataset, new LinkedHashSet<>(methods)));
    }

    public Map<String, Set<String>> datasets() {
        return datasets;
    }

    /** The methods of a dataset, or null when the provider has no such dataset. */
    public Set<String> methods(String dataset) {
        return datasets.getOrDefault(dataset, datasets.get(ANY_DATASET));
    }

    /** Methods whose request is a file uploaded as it is (a CSV of ids). */
    public void setUploadMethods(List<String> methods) {
        uploadMethods.clear();
        uploadMethods.addAll(methods);
    }

    public boolean isUpload(String method) {
        return uploadMethods.contains(method);
    }

    /** Hints added to the vendor's own words, by the HTTP status of an error answer. */
    public void setErrorHints(Map<Integer, String> hints) {
        errorHints.clear();
        errorHints.putAll(hints);
    }

    public String errorHint(int status) {
        return errorHints.get(status);
    }

    /** The job file keys a job of this provider may use beyond the common ones (name, provider, dataset…). */
    public void setJobOptions(Map<String, JobOption> options) {
        jobOptions.clear();
        jobOptions.putAll(options);
    }

    public Map<String, JobOption> jobOptions() {
        return jobOptions;
    }

    /** The data formats a job may ask for, each with the vendor's name for it; the first is the default. */
    public void setFormats(Map<String, String> formats) {
        this.formats.clear();
        this.formats.putAll(formats);
    }

    public Map<String, String> formats() {
        return formats;
    }

    /** {@code client}: the bundle makes a random UUID and stores it before the creation call; {@code vendor} (default). */
    public void setRequestIds(RequestIds requestIds) {
        this.requestIds = requestIds;
    }

    public boolean clientRequestIds() {
        return requestIds == RequestIds.client;
    }

    /** True when a job must set a limit, or say {@code all_records: true}: without one the vendor charges for all. */
    public void setLimitRequired(boolean limitRequired) {
        this.limitRequired = limitRequired;
    }

    public boolean limitRequired() {
        return limitRequired;
    }

    /**
     * True when the vendor calls a URL given in the submission once the request is ready: with
     * {@code bulkexport.webhook.public-url} set, the submission carries one (${variable.webhookUrl}).
     */
    public void setWebhooks(boolean webhooks) {
        this.webhooks = webhooks;
    }

    public boolean webhooks() {
        return webhooks;
    }

    public void setSubmit(Submit submit) {
        this.submit = submit == null ? new Submit(null, null) : submit;
    }

    /** The JSON body template of the submission, or null when it has none. */
    public JsonNode submitBody() {
        return submit.body();
    }

    /** The query string template of the submission, or null when it has none. */
    public Map<String, String> submitQuery() {
        return submit.query();
    }

    public void setStatus(StatusMapping status) {
        this.status = status;
    }

    /** How the status answer maps to outcomes, or null when the provider's status route decides by itself. */
    public StatusMapping status() {
        return status;
    }

    /** The values a template may name as {@code ${variable.NAME}}: every job option, and these. */
    public Set<String> templateVariables() {
        Set<String> names = new TreeSet<>(jobOptions.keySet());
        names.addAll(List.of("dataset", "method", "limit", "all_records", "format", "request", "requestId",
                "webhookUrl"));
        return names;
    }

    /** The templates' evaluator, in the Camel context that declared the provider. */
    public RequestTemplate templates() {
        return templates;
    }

    void useTemplates(RequestTemplate templates) {
        this.templates = templates;
    }

    /** Checks what the schema cannot say, or what a hand-made spec may lack; {@code where} names the declaration. */
    void validate(String where) {
        require(name != null && name.matches("[a-z][a-z0-9-]*"), where, "name",
                "must be lower-case letters, digits and '-', starting with a letter");
        require(api != null, where, "api", "is missing");
        require(api.baseUrl() != null && !api.baseUrl().isBlank(), where, "api.baseUrl", "is missing");
        require((api.rate() == null) != (api.sharesRateWith() == null), where, "api",
                "needs either rate (calls per second) or sharesRateWith (another provider), and not both");
        require(api.rate() == null || api.rate() > 0, where, "api.rate", "must be a positive number of calls");
        require(api.auth() != null, where, "api.auth", "is missing");
        Auth auth = api.auth();
        switch (String.valueOf(auth.type())) {
            case "header" -> {
                require(auth.header() != null, where, "api.auth.header", "is missing (type header)");
                require(auth.credential() != null, where, "api.auth.credential", "is missing");
            }
            case "basic-token" -> require(auth.credential() != null, where, "api.auth.credential", "is missing");
            case "oauth-client-credentials" -> {
                require(auth.tokenUrl() != null, where, "api.auth.tokenUrl", "is missing");
                require(auth.clientId() != null, where, "api.auth.clientId", "is missing");
                require(auth.clientSecret() != null, where, "api.auth.clientSecret", "is missing");
                require(auth.clientAuthentication() == null || Set.of("basic", "body")
                        .contains(auth.clientAuthentication()), where, "api.auth.clientAuthentication",
                        "must be basic or body");
            }
            default -> throw new ConfigurationException(where + ": api.auth.type must be header, basic-token or"
                    + " oauth-client-credentials, not '" + auth.type() + "'");
        }
        require(!datasets.isEmpty(), where, "datasets", "is missing: name at least one dataset and its methods");
        datasets.forEach((dataset, methods) -> require(!methods.isEmpty(), where, "datasets." + dataset,
                "lists no method"));
        jobOptions.forEach((key, option) -> require(Set.of("string", "integer", "boolean", "file", "call")
                .contains(option.type()), where, "jobOptions." + key + ".type",
                "must be string, integer, boolean, file or call, not '" + option.type() + "'"));
        formats.keySet().forEach(format -> require(Set.of("json", "csv").contains(format), where,
                "formats." + format, "is not a format the bundle reads (json, csv)"));
        require(submit.body() == null || submit.body().isObject(), where, "submit.body", "must be a mapping");
        require(submit.body() == null || submit.query() == null, where, "submit",
                "give either submit.body or submit.query, not both");
        if (status != null) {
            status.validate(where);
        }
    }

    static void require(boolean ok, String where, String key, String problem) {
        if (!ok) {
            throw new ConfigurationException(where + ": " + key + " " + problem);
        }
    }
}
