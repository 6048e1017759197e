package io.bulkexport.metrics;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.bulkexport.state.RunStatus;
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
    /** How long a count of runs by status serves the gauges: one query per scrape at most, for all statuses. */
    private static final long RUN_COUNT_TTL_NANOS = 2_000_000_000L;

    private final CamelContext context;
    private final Supplier<Map<RunStatus, Long>> runs;
    private final AtomicReference<MeterRegistry> registry = new AtomicReference<>();
    private volatile boolean absent;
    private final Set<String> creditGauges = ConcurrentHashMap.newKeySet();
    private final Map<String, Double> credits = new ConcurrentHashMap<>();
    private volatile Map<RunStatus, Long> runCounts = Map.of();
    private volatile long runCountsAt;

    private final Supplier<List<Map<String, Object>>> budgets;
    private volatile List<Map<String, Object>> budgetUse = List.of();
    private volatile long budgetUseAt;

    private final Supplier<Long> hookEventsPending;
    private volatile double pendingEvents;
    private volatile long pendingEventsAt;

    /**
     * @param budgets           each spend budget's use, read at most every two seconds for the budget gauges
     * @param hookEventsPending landed events not delivered to the hook routes yet, read at most every two seconds
     */
    MicrometerMeters(CamelContext context, Supplier<Map<RunStatus, Long>> runs,
                     Supplier<List<Map<String, Object>>> budgets, Supplier<Long> hookEventsPending) {
        this.context = context;
        this.runs = runs;
        this.budgets = budgets;
        this.hookEventsPending = hookEventsPending;
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
        Gauge.builder("bulkexport.hook.events.pending", this, MicrometerMeters::hookEventsPending)
                .description("Landed events not delivered to the hook routes yet (all instances sharing the database)")
                .register(meters);
        List<Map<String, Object>> set;
        try {
            set = budgets.get();
        } catch (RuntimeException e) {
            LOG.debug("budgets unreadable when the gauges were made: they are left out", e);
            return;
        }
        for (Map<String, Object> budget : set) {
            if (budget.get("records") == null) {
                continue; // a credit floor: the balance is bulkexport_vendor_credits_remaining
            }
            String name = String.valueOf(budget.get("budget"));
            String[] tags = {"provider", String.valueOf(budget.get("provider")), "period",
                    String.valueOf(budget.get("period"))};
            Gauge.builder("bulkexport.budget.records", this, m -> m.budgetValue(name, "records")).tags(tags)
                    .description("A spend budget: the most records its window may buy").register(meters);
            Gauge.builder("bulkexport.budget.used", this, m -> m.budgetValue(name, "used")).tags(tags)
                    .description("Records the budget's current window has bought or reserved").register(meters);
            Gauge.builder("bulkexport.budget.left", this, m -> m.budgetValue(name, "left")).tags(tags)
                    .description("Records the budget's current window may still buy").register(meters);
        }
    }

    /** Undelivered hook events, from one count at most every two seconds; NaN if the database fails. */
    private double hookEventsPending() {
        long now = System.nanoTime();
        if (now - pendingEventsAt > RUN_COUNT_TTL_NANOS) {
            try {
                pendingEvents = hookEventsPending.get();
            } catch (RuntimeException e) {
                pendingEvents = Double.NaN;
            }
            pendingEventsAt = now;
        }
        return pendingEvents;
    }

    /** A budget's figure, from one read of all budgets at most every two seconds; NaN if the database fails. */
    private double budgetValue(String budget, String field) {
        long now = System.nanoTime();
        if (now - budgetUseAt > RUN_COUNT_TTL_NANOS) {
            try {
                budgetUse = budgets.get();
            } catch (RuntimeException e) {
                budgetUse = null;
            }
            budgetUseAt = now;
        }
        List<Map<String, Object>> use = budgetUse;
        if (use == null) {
            return Double.NaN;
        }
        return use.stream().filter(line -> budget.equals(line.get("budget"))).findFirst()
                .map(line -> ((Number) line.get(field)).doubleValue()).orElse(Double.NaN);
    }

    /** Runs with this status, from one count of all statuses at most every two seconds; NaN if the database fails. */
    private double runCount(RunStatus status) {
        long now = System.nanoTime();
        if (now - runCountsAt > RUN_COUNT_TTL_NANOS) {
            try {
                Map<RunStatus, Long> counted = new EnumMap<>(RunStatus.class);
                counted.putAll(runs.get());
                runCounts = counted;
            } catch (RuntimeException e) {
                runCounts = null;
            }
            runCountsAt = now;
        }
        Map<RunStatus, Long> counts = runCounts;
        return counts == null ? Double.NaN : counts.getOrDefault(status, 0L);
    }

    private static String label(String value) {
        return value == null || value.isBlank() ? "none" : value;
    }
}
