package io.bulkexport.run;

import java.time.Duration;
import java.util.List;

import io.bulkexport.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance among those sharing the state database: its id ({@code bulkexport.instance.id}, by default the host
 * name and process id), and its lease in the database, renewed by the {@code instance-heartbeat} route every
 * {@code bulkexport.instance.heartbeat-millis}. While its lease is live, no other instance takes, re-queues or
 * settles its runs; once it has run out ({@code bulkexport.instance.lease-seconds} after the last heartbeat: a
 * killed process) the others do. A graceful stop ends the lease at once. The lease is judged by each instance's
 * clock: keep the machines' clocks synchronised (NTP) to well within the lease. Each instance takes its share of the
 * vendors' rate limits ({@link #share}).
 */
public class Instances {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.instances");

    private final StateStore store;
    private final String id;
    private final Duration lease;
    private final boolean exclusive;
    private final Duration heartbeat;
    private volatile boolean registered;
    private volatile int live = 1;
    /** Until when a joining instance makes no vendor call, so that the others have lowered their share first. */
    private volatile long quietUntilNanos;

    /**
     * @param exclusive the database serves one process at a time (embedded H2): no other lease in it is live
     * @param heartbeat how often the heartbeat route renews the lease (and so how soon the others see this one)
     */
    public Instances(StateStore store, String id, Duration lease, boolean exclusive, Duration heartbeat) {
        this.store = store;
        this.id = id;
        this.lease = lease;
        this.exclusive = exclusive;
        this.heartbeat = heartbeat;
    }

    public String id() {
        return id;
    }

    /** Takes the lease, as the bundle starts (before the start-up route looks at what others left). */
    public void register() {
        store.registerInstance(lease.toMillis(), exclusive);
        registered = true;
        List<String> instances = store.liveInstances();
        live = Math.max(1, instances.size());
        if (live > 1) {
            // the others learn of this instance at their next heartbeat: until then their share is the old one
            quietUntilNanos = System.nanoTime() + 2 * heartbeat.toNanos();
        }
        LOG.info("instance {}: lease of {} s in the state database; instances live now: {}", id, lease.toSeconds(),
                instances);
    }

    /** Renews the lease and counts the live instances (the heartbeat route). */
    public void heartbeat() {
        if (registered) {
            store.renewLease(lease.toMillis());
            live = Math.max(1, store.liveInstances().size());
        }
    }

    /**
     * This instance's share of a provider's rate limit (calls per second, {@code rate} for the whole cluster): the
     * limit divided by the live instances, at least 1. A vendor call of an instance that has just joined others waits
     * here until they have counted it (two heartbeats), so that the cluster never sends more than the limit.
     */
    public long share(long rate) {
        long quiet = quietUntilNanos - System.nanoTime();
        if (quiet > 0) {
            try {
                Thread.sleep(quiet / 1_000_000 + 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return Math.max(1, rate / live);
    }

    /** Ends the lease and hands this instance's waiting and downloading runs back (a graceful stop). */
    public void release() {
        if (registered) {
            registered = false;
            try {
                store.releaseInstance();
                LOG.info("instance {}: lease ended, its runs handed back", id);
            } catch (RuntimeException e) {
                LOG.warn("instance {}: could not end its lease ({}); the others take over once it runs out", id,
                        e.getMessage());
            }
        }
    }
}
