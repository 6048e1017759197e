package io.bulkexport.job;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.bulkexport.config.ConfigurationException;
import io.bulkexport.config.Secrets;
import io.bulkexport.provider.ProviderSpec;
import org.quartz.CronExpression;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The jobs this instance runs: read from the job files that {@code bulkexport.jobs} selects, each checked against
 * its provider's declaration. Anything wrong is refused here, before a single request is sent.
 */
public class JobCatalog {
    /** Keys every job file may hold; each provider adds its own options (request, query, limit, format…). */
    private static final Set<String> KEYS = Set.of("name", "provider", "dataset", "method", "schedule", "sink",
            "since_format", "since_initial", "transform", "transform_bean");
    private static final Set<String> SINKS = Set.of("file", "s3");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private final Map<String, JobDefinition> jobs;

    private JobCatalog(Map<String, JobDefinition> jobs) {
        this.jobs = jobs;
    }

    /**
     * Loads and checks the job files.
     *
     * @param selection    comma-separated job file paths or globs, relative to {@code baseDir}
     * @param providers    the declared providers by name
     * @param defaultSink  the sink of jobs that do not name one
     */
    public static JobCatalog load(String selection, Path baseDir, Map<String, ProviderSpec> providers,
                                  String defaultSink) {
        if (selection == null || selection.isBlank()) {
            throw new ConfigurationException("bulkexport.jobs is empty: name the job files to run, e.g."
                    + " bulkexport.jobs=config/jobs/*.yaml");
        }
        Map<String, JobDefinition> jobs = new LinkedHashMap<>();
        // every bad job file is reported in one go: fixing ten files does not take ten starts
        List<String> problems = new ArrayList<>();
        for (Path file : resolve(selection, baseDir)) {
            JobDefinition job;
            try {
                job = parse(file, providers, defaultSink);
            } catch (ConfigurationException e) {
                problems.add(e.getMessage());
                continue;
            }
            JobDefinition clash = jobs.put(job.name(), job);
            if (clash != null) {
                problems.add("job name '" + job.name() + "' is used by both " + clash.file() + " and " + file
                        + ": give each job its own name");
            }
        }
        if (problems.size() == 1) {
            throw new ConfigurationException(problems.get(0));
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems.size() + " job files are wrong:\n  " + String.join("\n  ",
                    problems));
        }
        // with the emulators on, Secrets answers their stand-ins for whatever the environment leaves unset
        for (JobDefinition job : jobs.values()) {
            for (String env : providers.get(job.provider()).credentialEnvs()) {
                if (Secrets.get(env) == null) {
                    throw new ConfigurationException(env + " is not set: job " + job.name() + " uses provider "
                            + job.provider() + ", which needs it (export " + env + "=…, or run against the"
                            + " vendor emulators with bulkexport.sandbox.enabled=true)");
                }
            }
        }
        return new JobCatalog(jobs);
    }

    public Collection<JobDefinition> all() {
        return jobs.values();
    }

    public Optional<JobDefinition> find(String name) {
        return Optional.ofNullable(jobs.get(name));
    }

    public JobDefinition get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("no job named " + name));
    }

    static List<Path> resolve(String selection, Path baseDir) {
        Set<Path> files = new TreeSet<>();
        for (String raw : selection.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            if (!entry.contains("*") && !entry.contains("?") && !entry.contains("[")) {
                Path file = baseDir.resolve(entry).normalize();
                if (!Files.isRegularFile(file)) {
                    throw new ConfigurationException("job file " + entry + " (bulkexport.jobs) does not exist"
                            + " under " + baseDir.toAbsolutePath().normalize());
                }
                files.add(file);
                continue;
            }
            List<Path> matched = glob(baseDir, entry);
            if (matched.isEmpty()) {
                throw new ConfigurationException("bulkexport.jobs pattern " + entry + " matches no job file under "
                        + baseDir.toAbsolutePath().normalize());
            }
            files.addAll(matched);
        }
        if (files.isEmpty()) {
            throw new ConfigurationException("bulkexport.jobs selects no job file");
        }
        return new ArrayList<>(files);
    }

    private static List<Path> glob(Path baseDir, String pattern) {
        String fixed = pattern.substring(0, pattern.replaceAll("[*?\\[].*$", "").lastIndexOf('/') + 1);
        Path root = baseDir.resolve(fixed.isEmpty() ? "." : fixed).normalize();
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        PathMatcher matcher = root.getFileSystem().getPathMatcher("glob:" + baseDir.resolve(pattern).normalize());
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(Path::normalize).filter(matcher::matches).sorted().toList();
        } catch (IOException e) {
            throw new ConfigurationException("cannot list job files matching " + pattern + ": " + e.getMessage());
        }
    }

    static JobDefinition parse(Path file, Map<String, ProviderSpec> providers, String defaultSink) {
        Map<String, Object> yaml = readYaml(file);
        String where = "job file " + file;
        String providerName = required(yaml, "provider", where);
        ProviderSpec provider = providers.get(providerName);
        if (provider == null) {
            throw new ConfigurationException(where + ": unknown provider '" + providerName + "' (known: "
                    + String.join(", ", new TreeSet<>(providers.keySet())) + ")");
        }
        Set<String> allowed = new TreeSet<>(KEYS);
        allowed.addAll(provider.jobOptions().keySet());
        for (String key : yaml.keySet()) {
            if (!allowed.contains(key)) {
                throw new ConfigurationException(where + ": unknown key '" + key + "' (allowed for " + providerName
                        + ": " + String.join(", ", allowed) + ")");
            }
        }
        String fileName = file.getFileName().toString();
        String name = text(yaml, "name", fileName.replaceFirst("\\.ya?ml$", ""), where);
        if (!NAME.matcher(name).matches()) {
            throw new ConfigurationException(where + ": job name '" + name + "' may hold only letters, digits,"
                    + " '.', '_' and '-' (it names the output folder)");
        }
        String dataset = required(yaml, "dataset", where);
        Set<String> methods = provider.methods(dataset);
        if (methods == null) {
            throw new ConfigurationException(where + ": provider " + providerName + " has no dataset '" + dataset
                    + "' (known: " + String.join(", ", provider.datasets().keySet()) + ")");
        }
        String method = methods.size() == 1 ? text(yaml, "method", methods.iterator().next(), where)
                : required(yaml, "method", where);
        if (!methods.contains(method)) {
            throw new ConfigurationException(where + ": dataset " + dataset + " of " + providerName
                    + " has no method '" + method + "' (known: " + String.join(", ", methods) + ")");
        }
        String schedule = text(yaml, "schedule", JobDefinition.ONCE, where);
        if (!JobDefinition.ONCE.equals(schedule)) {
            try {
                new CronExpression(schedule);
            } catch (ParseException e) {
                throw new ConfigurationException(where + ": schedule '" + schedule + "' is neither 'once' nor a"
                        + " Quartz cron expression (" + e.getMessage() + "); e.g. '0 0 6 * * ?' for 06:00 daily");
            }
        }
        String sink = text(yaml, "sink", defaultSink, where);
        if (!SINKS.contains(sink)) {
            throw new ConfigurationException(where + ": sink '" + sink + "' is not one of " + SINKS);
        }
        JobRequestReader.Found asked = new JobRequestReader(provider, yaml, file).read(dataset, method);
        JobDefinition job = new JobDefinition(name, file, providerName, dataset, method, asked.request(),
                asked.limit(), schedule, sink, asked.upload(), provider.isUpload(method), asked.format(),
                asked.options(), asked.values(), provider.clientRequestIds(), incremental(yaml, where),
                transform(yaml, where));
        checkSince(job, where);
        return job;
    }

    /** The job's record transform, its jq compiled here so that a mistake is refused before anything is sent. */
    private static JobDefinition.Transform transform(Map<String, Object> yaml, String where) {
        String jq = text(yaml, "transform", null, where);
        String bean = text(yaml, "transform_bean", null, where);
        if (jq != null && bean != null) {
            throw new ConfigurationException(where + ": set either transform (jq) or transform_bean, not both");
        }
        io.bulkexport.RecordTransform program = null;
        if (jq != null) {
            try {
                program = io.bulkexport.records.JqTransform.compile(jq);
            } catch (net.thisptr.jackson.jq.exception.JsonQueryException e) {
                throw new ConfigurationException(where + ": transform '" + jq + "' is not a jq program ("
                        + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + "); e.g. 'del(.email,"
                        + " .phone)'");
            }
        }
        return jq == null && bean == null ? null : new JobDefinition.Transform(program, bean);
    }

    private static JobDefinition.Incremental incremental(Map<String, Object> yaml, String where) {
        String format = text(yaml, "since_format", null, where);
        if (format != null) {
            try {
                java.time.format.DateTimeFormatter.ofPattern(format).withZone(java.time.ZoneOffset.UTC)
                        .format(java.time.Instant.EPOCH);
            } catch (IllegalArgumentException | java.time.DateTimeException e) {
                throw new ConfigurationException(where + ": since_format '" + format + "' is not a date-time pattern"
                        + " (" + e.getMessage() + "); e.g. \"yyyy-MM-dd'T'HH:mm:ss'Z'\" or \"yyyy-MM-dd\"");
            }
        }
        return new JobDefinition.Incremental(format, text(yaml, "since_initial", null, where));
    }

    /**
     * A job option whose text holds {@code ${variable.since}} (a query) needs a value on the first run too: with none
     * it would be sent with the placeholder in it, so since_initial is required there.
     */
    private static void checkSince(JobDefinition job, String where) {
        if (job.incremental().initial() != null) {
            return;
        }
        job.options().forEach((key, value) -> {
            if (value.contains("${variable." + JobDefinition.SINCE + "}")) {
                throw new ConfigurationException(where + ": " + key + " uses ${variable.since}, which has no value"
                        + " before the job's first DONE run: set since_initial (the value its first run uses, e.g."
                        + " '*' in a Datafiniti range, or a date)");
            }
        });
    }

    private static Map<String, Object> readYaml(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Object doc = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromInputStream(in);
            if (!(doc instanceof Map<?, ?> map)) {
                throw new ConfigurationException("job file " + file + " must hold a YAML mapping of job settings");
            }
            Map<String, Object> yaml = new LinkedHashMap<>();
            map.forEach((k, v) -> yaml.put(String.valueOf(k), v));
            return yaml;
        } catch (IOException e) {
            throw new ConfigurationException("cannot read job file " + file + ": " + e.getMessage());
        } catch (YamlEngineException e) {
            throw new ConfigurationException("job file " + file + " is not valid YAML: "
                    + e.getMessage().replaceAll("\\s+", " "));
        }
    }

    private static String required(Map<String, Object> yaml, String key, String where) {
        String value = text(yaml, key, null, where);
        if (value == null) {
            throw new ConfigurationException(where + ": '" + key + "' is missing");
        }
        return value;
    }

    static String text(Map<String, Object> yaml, String key, String fallback, String where) {
        Object value = yaml.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Map || value instanceof List) {
            throw new ConfigurationException(where + ": '" + key + "' must be a single value");
        }
        String text = String.valueOf(value).trim();
        return text.isEmpty() ? fallback : text;
    }
}
