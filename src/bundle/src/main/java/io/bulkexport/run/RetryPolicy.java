package io.bulkexport.run;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.bulkexport.metrics.ExportMeters;
import org.apache.camel.Exchange;

/**
 * How often, and how far apart, a provider's failed calls are tried again: {@code bulkexport.PROVIDER.retry.*} where
 * set, else {@code bulkexport.retry.*}. The error handling routes ask it ({@code retryWhile}) before each retry; it
 * sets the wait (exponential, capped) unless the vendor's {@code Retry-After} has set it already.
 *
 * <p>Retries are counted in an exchange property of its own, not in Camel's redelivery header: provider routes
 * clear all headers before each call (so no stray header becomes an HTTP header), which would reset that count
 * and retry forever.
 */
public class RetryPolicy {
    /** Exchange property holding the retries made so far for the step being retried. */
    static final String RETRIES = "bulkexportRetries";

    /** One provider's limits. */
    record Limits(int maxRetries, long firstDelayMillis, long maxDelayMillis) {
    }

    private final Function<String, Optional<String>> settings;
    private final Limits defaults;
    private final Map<String, Limits> byProvider = new ConcurrentHashMap<>();
    private final ExportMeters meters;

    /**
     * @param settings reads a setting by name
     * @param meters   counts the retries and their waits
     */
    public RetryPolicy(Function<String, Optional<String>> settings, int maxRetries, long firstDelayMillis,
                       long maxDelayMillis, ExportMeters meters) {
        this.settings = settings;
        this.meters = meters;
        this.defaults = new Limits(maxRetries, firstDelayMillis, maxDelayMillis);
    }

    /** True when the failed call of the exchange's provider may be tried again; sets the wait before it. */
    public boolean allows(Exchange exchange) {
        String provider = exchange.getProperty(RunExchange.PROVIDER, String.class);
        Limits limits = limits(provider);
        int retry = exchange.getProperty(RETRIES, 0, Integer.class) + 1;
        if (retry > limits.maxRetries()) {
            exchange.removeProperty(RETRIES);
            return false;
        }
        exchange.setProperty(RETRIES, retry);
        Long asked = exchange.getIn().getHeader(Exchange.REDELIVERY_DELAY, Long.class);
        long wait = asked != null ? asked
                : (long) Math.min(limits.firstDelayMillis() * Math.pow(2, Math.max(0, retry - 1)), limits.maxDelayMillis());
        exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, wait);
        meters.retry(provider, exchange.getProperty(ExportMeters.CALL, String.class), Duration.ofMillis(wait),
                asked != null);
        return true;
    }

    Limits limits(String provider) {
        if (provider == null) {
            return defaults;
        }
        return byProvider.computeIfAbsent(provider, name -> new Limits(
                (int) number("bulkexport." + name + ".retry.max-retries", defaults.maxRetries()),
                number("bulkexport." + name + ".retry.first-delay-millis", defaults.firstDelayMillis()),
                number("bulkexport." + name + ".retry.max-delay-millis", defaults.maxDelayMillis())));
    }

    private long number(String key, long fallback) {
        return settings.apply(key).map(value -> {
            try {
                return Math.max(0, Long.parseLong(value));
            } catch (NumberFormatException e) {
                throw new io.bulkexport.config.ConfigurationException(key + " must be a whole number, not '" + value + "'");
            }
        }).orElse(fallback);
    }
}
