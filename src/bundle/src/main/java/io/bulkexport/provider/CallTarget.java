package io.bulkexport.provider;

import java.util.Map;
import java.util.Set;

import io.bulkexport.config.ConfigurationException;

/**
 * A call a job declares as {@code "METHOD /path/${variable.requestId}"} (the method may be left out: GET): for APIs whose
 * creation or download call is not documented, so each job says where it goes.
 */
public record CallTarget(String method, String pathTemplate) {
    /** The methods a declared call may use. */
    public static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH");

    /** Reads a job option's value; {@code option} names it in errors. */
    public static CallTarget parse(String option, String value) {
        String[] parts = value.trim().split("\\s+", 2);
        CallTarget target = parts.length == 2 ? new CallTarget(parts[0].toUpperCase(), parts[1]) : new CallTarget("GET", parts[0]);
        if (!METHODS.contains(target.method()) || !target.pathTemplate().startsWith("/")) {
            throw new ConfigurationException(option + " must read 'METHOD /path' (METHOD one of " + METHODS
                    + ", path from the API's base URL), not '" + value + "'");
        }
        return target;
    }

    /** The path with the job's values filled in, each percent-encoded. */
    public String path(RequestTemplate templates, Map<String, ?> values) {
        return templates.path(pathTemplate, values);
    }

    /** The last segment of the filled-in path: a name for the file it serves. */
    public String fileName(RequestTemplate templates, Map<String, ?> values) {
        String path = path(templates, values).replaceAll("/+$", "");
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
