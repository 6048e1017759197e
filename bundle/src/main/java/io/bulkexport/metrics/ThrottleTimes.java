package io.bulkexport.metrics;

import java.time.Duration;

import org.apache.camel.Exchange;

/**
 * Times each vendor call's wait in its provider's rate limit: the provider-api template (and start-job, which takes
 * a submission's permit before storing its run) calls {@link #enter} before the provider-rate route and
 * {@link #leave} after it (bean {@code throttleTimes}).
 */
public final class ThrottleTimes {
    private static final String ENTERED = "bulkexportThrottleEntered";

    private final ExportMeters meters;

    public ThrottleTimes(ExportMeters meters) {
        this.meters = meters;
    }

    public void enter(Exchange exchange) {
        exchange.setProperty(ENTERED, System.nanoTime());
    }

    public void leave(Exchange exchange, String provider) {
        Long entered = exchange.removeProperty(ENTERED) instanceof Long at ? at : null;
        if (entered != null) {
            meters.throttled(provider, Duration.ofNanos(System.nanoTime() - entered));
        }
    }
}
