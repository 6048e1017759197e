package io.bulkexport.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulkexport.sink.Destination;
import io.bulkexport.state.HookEvents;
import io.bulkexport.state.HookEvents.Due;
import io.bulkexport.state.HookEvents.Kind;
import io.bulkexport.state.StateStore;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the hook routes ({@code routes/hooks.yaml}: {@code direct:file-landed}, {@code direct:run-landed}) of what
 * landed: each due event ({@link HookEvents}) as a small JSON body with the same values as headers
 * ({@code BulkExportEventId}, {@code BulkExportJob}…), after the landing was recorded, never before. A hook that
 * fails is logged and tried again later, with a growing delay; the landing stands whatever the hook does. Delivery is
 * at least once: a receiver drops repeats by the event's id.
 */
public class Hooks {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.hooks");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Events read per pass, of each kind. */
    private static final int BATCH = 100;

    private final StateStore store;
    private final Jobs jobs;
    private final Clock clock;
    private final Duration claimFor;
    private final Duration firstDelay;
    private final Duration maxDelay;

    /**
     * @param claimFor   how long an event is this instance's while it is delivered (then due again for any instance)
     * @param firstDelay the wait before a failed event is tried again, doubled each time up to {@code maxDelay}
     */
    public Hooks(StateStore store, Jobs jobs, Clock clock, Duration claimFor, Duration firstDelay, Duration maxDelay) {
        this.store = store;
        this.jobs = jobs;
        this.clock = clock;
        this.claimFor = claimFor;
        this.firstDelay = firstDelay;
        this.maxDelay = maxDelay;
    }

    /** Delivers every event due now (the hook-delivery route's tick); returns how many were delivered. */
    public int deliverAll(CamelContext context) {
        int delivered = 0;
        try (ProducerTemplate producer = context.createProducerTemplate()) {
            for (Due event : store.hookEvents().due(BATCH)) {
                Instant until = clock.instant().plus(claimFor);
                if (store.hookEvents().claim(event, until) && deliver(context, producer, event, until)) {
                    delivered++;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return delivered;
    }

    /**
     * Before a once-mode process ends: delivers what is due, and says how many events are left for the next start
     * (a hook that failed now, or one due later).
     */
    public void deliverBeforeStop(CamelContext context) {
        try {
            deliverAll(context);
            long left = store.hookEvents().undelivered();
            if (left > 0) {
                LOG.warn("{} landed event(s) not delivered to the hook routes yet: they are delivered at the next"
                        + " start", left);
            }
        } catch (RuntimeException e) {
            LOG.warn("the landed events could not be delivered before stopping ({}): they are delivered at the next"
                    + " start", RunText.describe(e));
        }
    }

    /** The hook-delivery route's call: {@link #deliverAll} with the exchange's context. */
    public void deliverDue(Exchange exchange) {
        deliverAll(exchange.getContext());
    }

    private boolean deliver(CamelContext context, ProducerTemplate producer, Due event, Instant claimedUntil) {
        Map<String, Object> values = values(event);
        Exchange exchange = new DefaultExchange(context);
        try {
            exchange.getMessage().setBody(JSON.writeValueAsString(values));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        values.forEach((name, value) -> exchange.getMessage().setHeader(header(name), value));
        Exchange done = producer.send("direct:" + event.kind().route(), exchange);
        if (done.getException() == null) {
            store.hookEvents().delivered(event, claimedUntil);
            LOG.debug("{} {} delivered (event {})", event.kind().route(), subject(event), event.eventId());
            return true;
        }
        Duration wait = backoff(event.attempts() + 1);
        store.hookEvents().failed(event, claimedUntil, clock.instant().plus(wait));
        LOG.warn("{}: hook {} for {} failed (attempt {}, event {}): {}; the landing stands, the hook is tried again"
                        + " in {}", event.run().jobName(), event.kind().route(), subject(event),
                event.attempts() + 1, event.eventId(), RunText.describe(done.getException()), RunText.human(wait));
        return false;
    }

    /** The event's values, as its JSON body has them. */
    Map<String, Object> values(Due event) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("eventId", event.eventId());
        values.put("event", event.kind().route());
        values.put("job", event.run().jobName());
        values.put("provider", event.run().provider());
        values.put("dataset", jobs.contains(event.run().jobName()) ? jobs.get(event.run().jobName()).dataset() : null);
        values.put("runId", event.run().runId());
        values.put("requestId", event.run().requestId());
        if (event.kind() == Kind.FILE_LANDED) {
            values.put("file", event.fileName());
            values.put("location", event.destination() == null || event.outputPath() == null ? event.outputPath()
                    : new Destination(event.destination()).location(event.outputPath()));
            values.put("records", event.records());
            values.put("quarantined", event.quarantined());
            values.put("bytes", event.bytes());
            values.put("sha256", event.sha256());
        } else {
            values.put("status", event.run().status().name());
            values.put("location", event.destination() == null || event.run().folder() == null ? event.run().folder()
                    : new Destination(event.destination()).folder(event.run().folder()));
            values.put("files", event.files());
            values.put("records", event.records());
            values.put("quarantined", event.quarantined());
            values.put("bytes", event.bytes());
        }
        return values;
    }

    private static String header(String name) {
        return "BulkExport" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    private static String subject(Due event) {
        return event.kind() == Kind.FILE_LANDED ? "file " + event.fileName() + " of request " + event.run().requestId()
                : "request " + event.run().requestId();
    }

    private Duration backoff(int attempt) {
        Duration wait = firstDelay;
        for (int i = 1; i < attempt && wait.compareTo(maxDelay) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(maxDelay) > 0 ? maxDelay : wait;
    }
}
