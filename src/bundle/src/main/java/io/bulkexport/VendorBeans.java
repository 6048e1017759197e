package io.bulkexport;

import java.time.Clock;
import java.time.Duration;

import io.bulkexport.config.Settings;
import io.bulkexport.metrics.ExportMeters;
import io.bulkexport.metrics.ThrottleTimes;
import io.bulkexport.presigned.PresignedFiles;
import io.bulkexport.presigned.PresignedLinks;
import io.bulkexport.provider.ProviderStatus;
import io.bulkexport.run.Instances;
import io.bulkexport.run.RateLimits;
import io.bulkexport.run.Retries;
import io.bulkexport.run.RetryPolicy;
import io.bulkexport.vendor.ApiCalls;
import io.bulkexport.vendor.JobCalls;
import io.bulkexport.vendor.JsonAnswers;
import io.bulkexport.vendor.RequestBodies;
import io.bulkexport.vendor.VendorResponses;
import io.bulkexport.run.SpendControl;
import org.apache.camel.spi.Registry;

/**
 * The calls to the vendors (routes/provider-api.yaml, the provider routes, routes/presigned-download.yaml,
 * routes/error-handling.yaml): rate limits shared by the instances, request bodies, what an answer means, status
 * mapping, retries and their policy, presigned downloads.
 */
final class VendorBeans {
    private VendorBeans() {
    }

    static void bind(Registry registry, Settings settings, BundleResources resources, Clock clock,
                     Instances instances, ExportMeters meters, SpendControl spend) {
        RateLimits rateLimits = new RateLimits(instances,
                Duration.ofMillis(settings.whole("bulkexport.rate.window-millis", 100)));
        instances.sharesHeldBy(rateLimits);
        registry.bind("rateLimits", rateLimits);
        registry.bind("throttleTimes", new ThrottleTimes(meters));
        registry.bind("retries", new Retries());
        registry.bind("retryPolicy", new RetryPolicy(settings::optional,
                (int) settings.whole("bulkexport.retry.max-retries", 0),
                settings.whole("bulkexport.retry.first-delay-millis", 0),
                settings.whole("bulkexport.retry.max-delay-millis", 0), meters));
        registry.bind("vendorResponses", new VendorResponses(Duration.ofSeconds(
                settings.whole("bulkexport.retry.max-delay-seconds", 0)), meters, spend::creditsReported));
        registry.bind("apiCalls", new ApiCalls());
        registry.bind("requestBodies", new RequestBodies());
        registry.bind("providerStatus", new ProviderStatus());
        registry.bind("jobCalls", new JobCalls());
        registry.bind("jsonAnswers", new JsonAnswers());
        PresignedLinks links = new PresignedLinks(clock);
        resources.presignedFiles = new PresignedFiles(links, clock,
                Duration.ofMillis(settings.whole("camel.component.http.connect-timeout", 1)),
                Duration.ofMillis(settings.whole("camel.component.http.so-timeout", 1)));
        registry.bind("presignedLinks", links);
        registry.bind("presignedFiles", resources.presignedFiles);
    }
}
