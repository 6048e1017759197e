package io.bulkexport.metrics;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

import io.bulkexport.state.Budgets;
import io.bulkexport.state.RunStatus;
import io.bulkexport.state.SpendReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ExportMeters} on Micrometer, in the registry the host put in Camel's registry: Camel's own
 * ({@code metricsRegistry}, made by camel-micrometer), or the only (or composite) {@link MeterRegistry} there, as
 * Spring Boot's actuator makes. Looked up at the first count once Camel has started; without any registry nothing
 * is counted.
 */
final class MicrometerMeters implements ExportMeters {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.metrics");
    /** The name camel-micrometer binds its registry under. */
    static final String CAMEL_REGISTRY = "metricsRegistry";
    /** How long one read of the ledger serves the gauges: one query per scrape at most, for all their series. */
    private static final long READ_TTL_NANOS = 2_000_000_000L;

    private final CamelContext context;
    private final CachedRead<Map<RunStatus, Long>> runCounts;
    private final AtomicReference<MeterRegistry> registry = new AtomicReference<>();
    private volatile boolean absent;
    private final Set<String> creditGauges = ConcurrentHashMap.newKeySet();
    private final Map<String, Double> credits = new ConcurrentHashMap<>();
    private final CachedRead<SpendReport> spend;
    private final CachedRead<Long> hookEventsPending;

    /**
     * @param budgets           each spend budget's use, read at most every two seconds for the budget gauges
     * @param hookEventsPending landed events not delivered to the hook routes yet, read at most every two seconds
     */
    MicrometerMeters(CamelContext context, Supplier<Map<RunStatus, Long>> runs,
                     Supplier<SpendReport> budgets, Supplier<Long> hookEventsPending) {
        this.context = context;
        this.runCounts = new CachedRead<>(() -> {
            Map<RunStatus, Long> counted = new EnumMap<>(RunStatus.class);
            counted.putAll(runs.get());
            return counted;
        });
        this.spend = new CachedRead<>(budgets);
        this.hookEventsPending = new CachedRead<>(hookEventsPending);
    }

    @Override
    public void fileLanded(String provider, String sink, long records, long storedBytes, long quarantined,
                           Duration took) {
        MeterRegistry meters = registry();
        if (meters == null) {
            return;
        }
        String p = label(provider);
        filesLanded(meters, p, label(sink)).increment();
        recordsLanded(meters, p, label(sink)).increment(records);
        quarantined(meters, p).increment(quarantined);
        stored(meters, p, label(sink)).increment(storedBytes);
        Timer.builder("bulkexport.file.duration")
                .description("Time to fetch and land a vendor file (the attempt that landed it)").tags("provider", p).register(meters).record(took);
    }

    @Override
    public void fileFailed(String provider) {
        MeterRegistry meters = registry();
        if (meters != null) {
            filesFailed(meters, label(provider)).increment();
        }
    }

    @Override
    public void fileSuperseded(String provider) {
        MeterRegistry meters = registry();
        if (meters != null) {
            filesSuperseded(meters, label(provider)).increment();
        }
    }

    /**
     * The counters of what lands, at zero for each provider and sink the jobs use, and the runs-by-status gauges,
     * as the bundle starts: a restarted process shows them before it does anything, not "no data".
     */
    @Override
    public void started(Map<String, Set<String>> sinksByProvider) {
        MeterRegistry meters = registry();
        if (meters == null) {
            return;
        }
        sinksByProvider.forEach((provider, sinks) -> {
            String p = label(provider);
            for (String sink : sinks) {
                filesLanded(meters, p, label(sink));
                recordsLanded(meters, p, label(sink));
                stored(meters, p, label(sink));
            }
            quarantined(meters, p);
            filesFailed(meters, p);
            filesSuperseded(meters, p);
        });
    }

    private static Counter filesLanded(MeterRegistry meters, String provider, String sink) {
        return Counter.builder("bulkexport.files.landed").description("Vendor files landed in the sink")
                .tags("provider", provider, "sink", sink).register(meters);
    }

    private static Counter recordsLanded(MeterRegistry meters, String provider, String sink) {
        return Counter.builder("bulkexport.records.landed").description("Records landed in the sink")
                .tags("provider", provider, "sink", sink).register(meters);
    }

    private static Counter stored(MeterRegistry meters, String provider, String sink) {
        return Counter.builder("bulkexport.stored").baseUnit("bytes").description("Bytes written to the sink")
                .tags("provider", provider, "sink", sink).register(meters);
    }

    private static Counter quarantined(MeterRegistry meters, String provider) {
        return Counter.builder("bulkexport.records.quarantined").description("Lines set aside as not records")
                .tags("provider", provider).register(meters);
    }

    private static Counter filesFailed(MeterRegistry meters, String provider) {
        return Counter.builder("bulkexport.files.failed").description("Vendor files that failed after their retries")
                .tags("provider", provider).register(meters);
    }

    private static Counter filesSuperseded(MeterRegistry meters, String provider) {
        return Counter.builder("bulkexport.files.superseded")
                .description("Attempts at vendor files discarded because their instance lost the file's claim")
                .tags("provider", provider).register(meters);
    }

    @Override
    public void bytesRead(long wireBytes, long decodedBytes) {
        MeterRegistry meters = registry();
        if (meters != null) {
            Counter.builder("bulkexport.downloaded").baseUnit("bytes")
                    .description("Bytes of vendor files read over the wire (compressed, as sent)")
                    .register(meters).increment(wireBytes);
            Counter.builder("bulkexport.decoded").baseUnit("bytes")
                    .description("Bytes the vendor files decoded to (uncompressed)")
                    .register(meters).increment(decodedBytes);
        }
    }

    @Override
    public void vendorAnswer(String provider, String call, int status, String creditsRemaining) {
        MeterRegistry meters = registry();
        if (meters == null) {
            return;
        }
        String p = label(provider);
        Counter.builder("bulkexport.vendor.calls").description("Calls to the vendors' APIs, by answer code")
                .tags("provider", p, "call", label(call), "code", String.valueOf(status)).register(meters)
                .increment();
        if (creditsRemaining != null) {
            try {
                credits.put(p, Double.parseDouble(creditsRemaining.trim()));
            } catch (NumberFormatException e) {
                return; // not a number: nothing to report
            }
            if (creditGauges.add(p)) {
                Gauge.builder("bulkexport.vendor.credits.remaining", credits, c -> c.getOrDefault(p, Double.NaN))
                        .description("The credit balance the vendor last reported (x-credits-remaining)")
                        .tags("provider", p).register(meters);
            }
        }
    }

    @Override
    public void retry(String provider, String call, Duration wait, boolean vendorAsked) {
        MeterRegistry meters = registry();
        if (meters == null) {
            return;
        }
        Counter.builder("bulkexport.retries").description("Failed calls tried again")
                .tags("provider", label(provider), "call", label(call)).register(meters).increment();
        Timer.builder("bulkexport.retry.wait").description("Waits before retries (Retry-After or backoff)")
                .tags("provider", label(provider), "reason", vendorAsked ? "retry-after" : "backoff")
                .register(meters).record(wait);
    }

    @Override
    public void throttled(String provider, Duration waited) {
        MeterRegistry meters = registry();
        if (meters != null) {
            Timer.builder("bulkexport.throttle.wait").description("Time calls waited in the provider's rate limit")
                    .tags("provider", label(provider)).register(meters).record(waited);
        }
    }

    @Override
    public void submitted(String provider) {
        MeterRegistry meters = registry();
        if (meters != null) {
            Counter.builder("bulkexport.submissions").description("Paid requests the vendor accepted")
                    .tags("provider", label(provider)).register(meters).increment();
        }
    }

    @Override
    public void ready(String provider, Duration sinceSubmission) {
        MeterRegistry meters = registry();
        if (meters != null) {
            Timer.builder("bulkexport.request.ready").description("From a request's submission to its files listed")
                    .tags("provider", label(provider)).register(meters).record(sinceSubmission);
        }
    }

    @Override
    public void webhook(String provider, String outcome) {
        MeterRegistry meters = registry();
        if (meters != null) {
            Counter.builder("bulkexport.webhook.calls").description("Calls to the webhook URLs, by what they did")
                    .tags("provider", label(provider), "outcome", label(outcome)).register(meters).increment();
        }
    }

    /** The host's registry, once Camel has started; null while there is none. */
    MeterRegistry registry() {
        MeterRegistry found = registry.get();
        if (found != null || absent) {
            return found;
        }
        found = lookup();
        if (found == null) {
            if (context.isStarted()) {
                absent = true; // the host runs no Micrometer registry: count nothing, and stop looking
                LOG.debug("no Micrometer registry in the Camel registry: bulkexport metrics are off");
            }
            return null;
        }
        if (registry.compareAndSet(null, found)) {
            registerRunGauges(found);
        }
        return registry.get();
    }

    private MeterRegistry lookup() {
        MeterRegistry named = context.getRegistry().lookupByNameAndType(CAMEL_REGISTRY, MeterRegistry.class);
        if (named != null) {
            return named;
        }
        Set<MeterRegistry> all = context.getRegistry().findByType(MeterRegistry.class);
        if (all.size() == 1) {
            return all.iterator().next();
        }
        return all.stream().filter(CompositeMeterRegistry.class::isInstance).findFirst().orElse(null);
    }

    private void registerRunGauges(MeterRegistry meters) {
        for (RunStatus status : RunStatus.values()) {
            Gauge.builder("bulkexport.runs", this, m -> m.runCount(status))
                    .description("Runs in the state database, by status")
                    .tags("status", status.name()).register(meters);
        }
        Gauge.builder("bulkexport.hook.events.pending", hookEventsPending, read -> number(read.get()))
                .description("Landed events not delivered to the hook routes yet (all instances sharing the database)")
                .register(meters);
        SpendReport set = spend.get();
        if (set == null) {
            LOG.debug("budgets unreadable when the gauges were made: they are left out");
            return;
        }
        // credit floors have no gauge of their own: the balance is bulkexport_vendor_credits_remaining
        for (Budgets.Use use : set.budgets()) {
            Budgets.Budget budget = use.budget();
            String[] tags = {"provider", SpendReport.provider(budget), "period", SpendReport.period(budget)};
            Gauge.builder("bulkexport.budget.records", this, m -> m.budgetUse(budget, u -> u.budget().records()))
                    .tags(tags).description("A spend budget: the most records its window may buy").register(meters);
            Gauge.builder("bulkexport.budget.used", this, m -> m.budgetUse(budget, Budgets.Use::used)).tags(tags)
                    .description("Records the budget's current window has bought or reserved").register(meters);
            Gauge.builder("bulkexport.budget.left", this, m -> m.budgetUse(budget, Budgets.Use::left)).tags(tags)
                    .description("Records the budget's current window may still buy").register(meters);
        }
    }

    /** A figure of a budget's use in its current window; NaN if the database fails. */
    private double budgetUse(Budgets.Budget budget, ToLongFunction<Budgets.Use> figure) {
        SpendReport report = spend.get();
        return report == null ? Double.NaN : report.budgets().stream().filter(u -> u.budget().equals(budget))
                .findFirst().map(u -> (double) figure.applyAsLong(u)).orElse(Double.NaN);
    }

    /** Runs with this status; NaN if the database fails. */
    private double runCount(RunStatus status) {
        Map<RunStatus, Long> counts = runCounts.get();
        return counts == null ? Double.NaN : counts.getOrDefault(status, 0L);
    }

    private static double number(Long value) {
        return value == null ? Double.NaN : value;
    }

    /**
     * A read of the ledger for the gauges, done at most every two seconds: one read serves every series that asks
     * meanwhile, so a scrape costs one query per kind, not one per series. Null while the database fails.
     */
    private static final class CachedRead<T> {
        private final Supplier<T> read;
        private volatile T value;
        private volatile long readAt;
        private volatile boolean done;

        CachedRead(Supplier<T> read) {
            this.read = read;
        }

        T get() {
            long now = System.nanoTime();
            if (!done || now - readAt > READ_TTL_NANOS) {
                try {
                    value = read.get();
                } catch (RuntimeException e) {
                    value = null;
                }
                readAt = now;
                done = true;
            }
            return value;
        }
    }

    private static String label(String value) {
        return value == null || value.isBlank() ? "none" : value;
    }
}
