package io.bulkexport.provider;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.bulkexport.config.ConfigurationException;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Resource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads the provider declarations ({@code NAME.provider.yaml}), checks them (unknown or missing keys, a status value
 * under two outcomes, templates that do not parse or name unknown values: each error names the file and the key),
 * binds each one under its name with its credential as bean {@code NAME-auth}, and makes its API routes from the
 * templates in {@code routes/provider-api.yaml}: {@code NAME-rate} (the limit) and {@code NAME-api} (the call).
 */
public final class ProviderDeclarations {
    /** How a declaration's file name ends; the rest is the provider's name. */
    public static final String SUFFIX = ".provider.yaml";
    /** The job file keys every job has; a provider cannot declare them as its own. */
    public static final Set<String> COMMON_KEYS = Set.of("name", "provider", "dataset", "method", "schedule", "sink");

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ProviderDeclarations() {
    }

    /** Reads and checks every declaration (by file name) and binds them; returns them by provider name. */
    public static Map<String, ProviderSpec> bind(CamelContext context, Map<String, Resource> declarations) {
        RequestTemplate templates = new RequestTemplate(context);
        Map<String, ProviderSpec> providers = new TreeMap<>();
        declarations.forEach((file, resource) -> {
            ProviderSpec spec = read(context, templates, file, resource);
            if (providers.put(spec.getName(), spec) != null) {
                throw new ConfigurationException(file + ": provider " + spec.getName() + " is declared twice");
            }
        });
        for (ProviderSpec spec : providers.values()) {
            String shared = spec.api().sharesRateWith();
            if (shared != null && (!providers.containsKey(shared) || providers.get(shared).api().rate() == null)) {
                throw new ConfigurationException("provider " + spec.getName() + ": api.sharesRateWith names '" + shared
                        + "', which is no provider with a rate of its own (known: " + providers.keySet() + ")");
            }
            context.getRegistry().bind(spec.getName(), ProviderSpec.class, spec);
            context.getRegistry().bind(authBean(spec), ApiHostAuth.class, auth(spec));
        }
        return providers;
    }

    /** Adds each provider's {@code NAME-rate} and {@code NAME-api} routes; returns their ids. */
    public static List<String> addApiRoutes(CamelContext context, Iterable<ProviderSpec> providers) throws Exception {
        List<String> ids = new ArrayList<>();
        for (ProviderSpec spec : providers) {
            if (spec.api().rate() != null) {
                ids.add(context.addRouteFromTemplate(rateRoute(spec.getName()), "provider-rate",
                        Map.of("name", rateRoute(spec.getName()), "rate", spec.api().rate())));
            }
        }
        for (ProviderSpec spec : providers) {
            ids.add(context.addRouteFromTemplate(spec.getName() + "-api", "provider-api", Map.of(
                    "name", spec.getName() + "-api", "provider", spec.getName(), "baseUrl", spec.api().baseUrl(),
                    "auth", authBean(spec), "rateRoute", rateRouteOf(spec))));
        }
        return ids;
    }

    /**
     * Plan mode: each provider's {@code NAME-api} route prepares the call its caller declared, as the real one does
     * ({@link io.bulkexport.vendor.ApiCalls}), captures it and sends nothing ({@link io.bulkexport.run.Plan#capture});
     * no rate route is needed.
     */
    public static void addPlanRoutes(CamelContext context, Iterable<ProviderSpec> providers) throws Exception {
        List<String> names = new ArrayList<>();
        providers.forEach(spec -> names.add(spec.getName()));
        context.addRoutes(new org.apache.camel.builder.RouteBuilder() {
            @Override
            public void configure() {
                for (String name : names) {
                    from("direct:" + name + "-api").routeId(name + "-api")
                            .process(new io.bulkexport.vendor.ApiCalls()::prepare)
                            .process(io.bulkexport.run.Plan::capture);
                }
            }
        });
    }

    /** Reads one declaration; {@code file} names it in errors and gives the provider's name. */
    static ProviderSpec read(CamelContext context, RequestTemplate templates, String file, Resource resource) {
        Object yaml;
        try (InputStream in = resource.getInputStream()) {
            yaml = new Load(LoadSettings.builder().setLabel(file).build()).loadFromInputStream(in);
        } catch (IOException e) {
            throw new ConfigurationException("cannot read provider declaration " + file + ": " + e.getMessage());
        } catch (YamlEngineException e) {
            throw new ConfigurationException("provider declaration " + file + " is not valid YAML: "
                    + e.getMessage().replaceAll("\\s+", " "));
        }
        String where = "provider declaration " + file;
        if (!(yaml instanceof Map<?, ?>)) {
            throw new ConfigurationException(where + " must hold a YAML mapping (see provider.schema.json)");
        }
        ProviderSpec spec;
        try {
            JsonNode tree = JSON.valueToTree(resolve(context, yaml, where, ""));
            spec = JSON.readerFor(ProviderSpec.class).readValue(tree);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigurationException(where + ": unknown key '" + path(e) + "' (known there: "
                    + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", "))
                    + ")");
        } catch (JsonMappingException e) {
            throw new ConfigurationException(where + ": " + path(e) + " "
                    + e.getOriginalMessage().lines().findFirst().orElse("has a value of the wrong kind")
                    .replaceAll(" \\(class [^)]*\\)", "").replaceAll("`[a-z.]+\\.([A-Za-z$]+)`", "$1"));
        } catch (IOException e) {
            throw new ConfigurationException(where + ": " + e.getMessage());
        }
        String expected = file.substring(file.lastIndexOf('/') + 1).replace(SUFFIX, "");
        if (!expected.equals(spec.getName())) {
            throw new ConfigurationException(where + ": name is '" + spec.getName() + "', but the file says '"
                    + expected + "': name the file NAME" + SUFFIX);
        }
        spec.validate(where);
        for (String key : spec.jobOptions().keySet()) {
            ProviderSpec.require(!COMMON_KEYS.contains(key), where, "jobOptions." + key,
                    "is a key every job has already (" + new TreeSet<>(COMMON_KEYS) + ")");
        }
        checkTemplates(templates, spec, where);
        spec.useTemplates(templates);
        return spec;
    }

    private static void checkTemplates(RequestTemplate templates, ProviderSpec spec, String where) {
        Set<String> known = spec.templateVariables();
        if (spec.submitBody() != null) {
            for (String text : RequestTemplate.strings(spec.submitBody())) {
                templates.check(where + ": submit.body", text, known);
            }
        }
        if (spec.submitQuery() != null) {
            spec.submitQuery().forEach((name, text) -> templates.check(where + ": submit.query." + name,
                    String.valueOf(text), known));
        }
        spec.jobOptions().forEach((key, option) -> {
            if ("call".equals(option.type()) && option.defaultText() != null) {
                try {
                    templates.check(where + ": jobOptions." + key + ".default",
                            CallTarget.parse(key, option.defaultText()).pathTemplate(), known);
                } catch (ConfigurationException e) {
                    throw e.getMessage().startsWith(where) ? e
                            : new ConfigurationException(where + ": jobOptions." + key + ".default: " + e.getMessage());
                }
            }
        });
    }

    /** Fills in Camel property placeholders ({@code {{…}}}) in every string, naming the key of one that fails. */
    private static Object resolve(CamelContext context, Object node, String where, String key) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k),
                    resolve(context, v, where, key.isEmpty() ? String.valueOf(k) : key + "." + k)));
            return out;
        }
        if (node instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                out.add(resolve(context, list.get(i), where, key + "[" + i + "]"));
            }
            return out;
        }
        if (node instanceof String text && text.contains("{{")) {
            try {
                String resolved = context.resolvePropertyPlaceholders(text);
                return resolved == null || resolved.isEmpty() ? null : resolved;
            } catch (RuntimeException e) {
                throw new ConfigurationException(where + ": " + key + " '" + text + "' names a setting that is not"
                        + " set (" + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")");
            }
        }
        return node;
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "the declaration" : path.toString();
    }

    private static ApiHostAuth auth(ProviderSpec spec) {
        ProviderSpec.Auth declared = spec.api().auth();
        ApiHostAuth auth = switch (declared.type()) {
            case "header" -> {
                HeaderAuth header = new HeaderAuth();
                header.setHeader(declared.header());
                header.setPrefix(declared.prefix());
                header.setCredentialEnv(declared.credential());
                yield header;
            }
            case "basic-token" -> {
                BasicTokenAuth basic = new BasicTokenAuth();
                basic.setCredentialEnv(declared.credential());
                yield basic;
            }
            default -> {
                OAuthClientCredentials oauth = new OAuthClientCredentials();
                oauth.setProvider(spec.getName());
                oauth.setTokenUrl(declared.tokenUrl());
                oauth.setClientIdEnv(declared.clientId());
                oauth.setClientSecretEnv(declared.clientSecret());
                oauth.setScope(declared.scope());
                if (declared.clientAuthentication() != null) {
                    oauth.setClientAuthentication(declared.clientAuthentication());
                }
                yield oauth;
            }
        };
        auth.setBaseUrl(spec.api().baseUrl());
        return auth;
    }

    private static String authBean(ProviderSpec spec) {
        return spec.getName() + "-auth";
    }

    /** The provider-rate route (and rate limit) that a provider's calls pass: its own, or the one it shares. */
    public static String rateRouteOf(ProviderSpec spec) {
        return rateRoute(spec.api().sharesRateWith() != null ? spec.api().sharesRateWith() : spec.getName());
    }

    private static String rateRoute(String provider) {
        return provider + "-rate";
    }
}
