package io.bulkexport.metrics;

import java.time.Duration;

import org.apache.camel.Exchange;

/**
 * Times each vendor call's wait in its provider's rate limit: the provider-rate template calls {@link #enter} before
 * it takes a permit and {@link #leave} after (bean {@code throttleTimes}).
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
