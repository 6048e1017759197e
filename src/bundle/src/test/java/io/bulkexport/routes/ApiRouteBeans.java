package io.bulkexport.routes;

import java.time.Duration;

import io.bulkexport.metrics.ExportMeters;
import io.bulkexport.metrics.ThrottleTimes;
import io.bulkexport.run.Instances;
import io.bulkexport.run.RateLimits;
import io.bulkexport.vendor.ApiCalls;
import io.bulkexport.vendor.VendorResponses;
import org.apache.camel.spi.Registry;

/** The beans routes/provider-api.yaml's templates call, for route tests: one instance alone, with the whole rate. */
final class ApiRouteBeans {
    private ApiRouteBeans() {
    }

    static void bind(Registry registry) {
        registry.bind("apiCalls", new ApiCalls());
        registry.bind("vendorResponses", new VendorResponses(Duration.ofSeconds(120), ExportMeters.NONE));
        registry.bind("throttleTimes", new ThrottleTimes(ExportMeters.NONE));
        Instances instances = new Instances(null, "test", Duration.ofSeconds(30), true);
        registry.bind("instances", instances);
        registry.bind("rateLimits", new RateLimits(instances, Duration.ofSeconds(1)));
    }
}
