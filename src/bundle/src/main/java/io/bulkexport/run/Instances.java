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
    /** How often a joining instance asks whether the others have counted it yet. */
    private static final long JOIN_CHECK_MILLIS = 200;

    private final StateStore store;
    private final String id;
    private final Duration lease;
    private final boolean exclusive;
    private volatile boolean registered;
    private volatile int live = 1;
    /** This instance joined others and waits until each has counted it (and so lowered its share). */
    private volatile boolean joining;
    private volatile long registeredAt;
    private volatile long joinDeadlineNanos;
    private volatile RateLimits limits;
    private volatile Runnable onLapse = () -> { };

    /** @param exclusive the database serves one process at a time (embedded H2): no other lease in it is live */
    public Instances(StateStore store, String id, Duration lease, boolean exclusive) {
        this.store = store;
        this.id = id;
        this.lease = lease;
        this.exclusive = exclusive;
    }

    public String id() {
        return id;
    }

    /**
     * The rate limits whose shares this instance holds: when it counts more instances than before, it records
     * having counted them only once its calls fit the lowered shares, and an instance that stopped still counts for
     * one of their windows (its last calls may still be counted by the vendor).
     */
    public void sharesHeldBy(RateLimits limits) {
        this.limits = limits;
    }

    /**
     * What to do when this instance finds its lease lapsed, before it registers again: give up the claims it holds,
     * since other instances may have taken them meanwhile.
     */
    public void onLeaseLapsed(Runnable action) {
        this.onLapse = action;
    }

    /** Takes the lease, as the bundle starts (before the start-up route looks at what others left). */
    public void register() {
        join(store.leases().register(lease.toMillis(), exclusive));
    }

    private void join(long registeredAt) {
        this.registeredAt = registeredAt;
        registered = true;
        long countedAt = store.leases().millis();
        List<String> instances = store.leases().live();
        live = Math.max(1, instances.size());
        store.leases().counted(countedAt); // nothing called yet: its share holds at once
        if (live > 1) {
            // the others learn of this instance when they next count the live ones (their heartbeat): until then
            // their share is the old one, so this one waits; an instance that counts nothing for a whole lease is dead
            joining = true;
            joinDeadlineNanos = System.nanoTime() + lease.toNanos();
        }
        LOG.info("instance {}: lease of {} s in the state database; instances live now: {}", id, lease.toSeconds(),
                instances);
    }

    /**
     * The heartbeat route: counts the instances, renews the lease, and records having counted them, which tells an
     * instance that joined that this one's share is lowered now: its calls under the old share are out of their
     * window (at most a third of a lease is waited for that; the joiner itself stops waiting after a lease).
     */
    public synchronized void heartbeat() {
        if (registered) {
            RateLimits held = limits;
            long countedAt = store.leases().millis();
            int count = Math.max(1, store.leases().within(held == null ? 0 : held.window().toMillis()).size());
            if (!store.leases().renew(lease.toMillis())) {
                lapsed();
                return;
            }
            boolean lowered = count > live;
            live = count;
            if (lowered && held != null) {
                held.awaitWithinShares(lease.dividedBy(3));
            }
            store.leases().counted(countedAt);
        }
    }

    /**
     * This instance's share of a provider's rate limit (calls per second, {@code rate} for the whole cluster): the
     * limit divided by the live instances, at least 1. A vendor call of an instance that has just joined others waits
     * here until each of them has counted it ({@link #awaitCalling}), so that the cluster never sends more than the
     * limit.
     */
    public long share(long rate) {
        awaitCalling();
        return shareNow(rate);
    }

    /** This instance's share of {@code rate} by its last count, without waiting (see {@link #share}). */
    long shareNow(long rate) {
        return Math.max(1, rate / live);
    }

    /**
     * False while this instance, having just joined others, waits for each of them to count it and lower its share:
     * it then claims no status check and no download, which the others can do at once.
     */
    public boolean calling() {
        if (joining && (System.nanoTime() - joinDeadlineNanos > 0 || store.leases().othersUncountedSince(registeredAt) == 0)) {
            joining = false;
            LOG.info("instance {}: counted by the other instances; calling vendors now", id);
        }
        return !joining;
    }

    /** Returns once this instance may call vendors: at once, unless it has just joined others. */
    public void awaitCalling() {
        while (!calling()) {
            try {
                Thread.sleep(JOIN_CHECK_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * The lease had run out when this instance came to renew it (the process was frozen, starved of CPU, or cut off
     * from the database for longer than a lease): other instances may have taken its files and runs. It does not
     * carry on as if nothing happened: its claims in flight are revoked (their downloads stop, their output is
     * discarded), and it registers again, which gives up its claims in the ledger, and joins the others again.
     */
    private void lapsed() {
        LOG.warn("instance {}: its lease had lapsed (no renewal for over {} s): other instances may have taken its"
                + " files; its downloads in flight are discarded and it registers again", id, lease.toSeconds());
        onLapse.run();
        join(store.leases().registerAfterLapse(lease.toMillis()));
    }

    /** Ends the lease and hands this instance's waiting and downloading runs back (a graceful stop). */
    public void release() {
        if (registered) {
            registered = false;
            try {
                store.leases().release();
                LOG.info("instance {}: lease ended, its runs handed back", id);
            } catch (RuntimeException e) {
                LOG.warn("instance {}: could not end its lease ({}); the others take over once it runs out", id,
                        e.getMessage());
            }
        }
    }
}
