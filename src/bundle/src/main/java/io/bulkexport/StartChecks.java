package io.bulkexport;

import java.util.Map;
import java.util.Set;

import io.bulkexport.config.ConfigurationException;
import io.bulkexport.config.Settings;
import io.bulkexport.job.JobCatalog;
import io.bulkexport.provider.ProviderSpec;
import io.bulkexport.run.SinceValues;
import io.bulkexport.vendor.VendorText;
import org.apache.camel.CamelContext;

/** The checks of settings against the jobs and providers loaded, made at start-up before any route runs. */
final class StartChecks {
    private StartChecks() {
    }

    /**
     * Settings that name jobs or URLs, checked against the jobs before anything is sent: a typo never costs money or
     * passes in silence. {@code bulkexport.new-run} and {@code bulkexport.attach.<job>} must name jobs there are; the
     * API (and token) URLs of the providers the jobs use must be absolute http(s) URLs.
     */
    static void againstJobs(CamelContext context, Settings settings, JobCatalog catalog,
                            Map<String, ProviderSpec> providers) {
        Set<String> names = new java.util.TreeSet<>();
        catalog.all().forEach(job -> names.add(job.name()));
        for (String asked : settings.list("bulkexport.new-run")) {
            if (!asked.equals("all") && !names.contains(asked)) {
                throw new ConfigurationException("bulkexport.new-run names no job: '" + asked + "' (jobs: "
                        + String.join(", ", names) + "; or all)");
            }
        }
        SinceValues.check(settings.under(SinceValues.SETTING), names);
        settings.under("bulkexport.attach.").forEach((job, id) -> {
            if (!names.contains(job)) {
                throw new ConfigurationException("bulkexport.attach." + job + " names no job: '" + job + "' (jobs: "
                        + String.join(", ", names) + "); nothing is attached");
            }
            if (!VendorText.isRequestId(id)) {
                throw new ConfigurationException("bulkexport.attach." + job + " = " + VendorText.quoted(id)
                        + " is not a request id (letters, digits and . _ : - only); nothing is attached");
            }
        });
        Set<String> used = new java.util.TreeSet<>();
        catalog.all().forEach(job -> used.add(job.provider()));
        for (String name : used) {
            ProviderSpec provider = providers.get(name);
            requireHttpUrl(context, settings, provider.api().baseUrl(), "bulkexport." + name + ".base-url",
                    "api.baseUrl of provider " + name);
            if (provider.api().auth() != null && provider.api().auth().tokenUrl() != null) {
                requireHttpUrl(context, settings, provider.api().auth().tokenUrl(), "bulkexport." + name
                        + ".token-url", "api.auth.tokenUrl of provider " + name);
            }
        }
    }

    private static final java.util.regex.Pattern PLACEHOLDER =
            java.util.regex.Pattern.compile("\\{\\{([^:}]+)(:[^}]*)?}}");

    /**
     * The declared URL, its placeholders resolved, must be an absolute http(s) URL; the message names the setting it
     * comes from (the provider's usual one when it holds that value, else the declaration's field).
     */
    private static void requireHttpUrl(CamelContext context, Settings settings, String declared, String usual,
                                       String where) {
        java.util.regex.Matcher placeholder = PLACEHOLDER.matcher(declared.trim());
        String url = context.resolvePropertyPlaceholders(declared);
        String setting = placeholder.matches() ? placeholder.group(1)
                : settings.optional(usual).filter(url::equals).map(value -> usual).orElse(where);
        java.net.URI uri = null;
        try {
            uri = new java.net.URI(url.trim());
        } catch (java.net.URISyntaxException e) {
            // said below
        }
        if (uri == null || uri.getScheme() == null || uri.getHost() == null
                || !Set.of("http", "https").contains(uri.getScheme().toLowerCase(java.util.Locale.ROOT))) {
            throw new ConfigurationException(setting + " is '" + url + "', which is not an absolute http(s) URL"
                    + " (e.g. https://api.example.com/v1): nothing was sent");
        }
    }
}
