package io.bulkexport.run;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;

/**
 * The vendors' rate limits as this instance holds them (bean {@code rateLimits}): the provider-rate route calls
 * {@link #acquire} before each vendor call and the provider-api route {@link #done} once the vendor has answered (or
 * the call failed). A submission takes its permit before its run is stored, and gives it back unused
 * ({@link #release}) if it makes no call. Of each limit, at most this instance's share ({@link Instances#share}) of
 * calls is in flight or was answered less than a window ago.
 *
 * <p>Why not Camel's throttle EIP: it counts a call from the moment it lets it through, while the vendor counts it
 * when it arrives, and the two differ by however long the sending takes — on a fresh JVM the first calls of a burst
 * arrive several hundred milliseconds after they were let through, bunched with the next window's. A call counted
 * until a window after its answer is counted through its arrival, whenever that was: whatever the delays, the vendor
 * never sees more than the share arrive within one window. The price is the call's own duration added to the window
 * for each permit, which calls made in parallel absorb.
 */
public final class RateLimits {

    private final Instances instances;
    private final long windowNanos;
    private final Map<String, Limit> limits = new ConcurrentHashMap<>();

    /** @param window what a rate is counted over: {@code bulkexport.rate.window-millis} */
    public RateLimits(Instances instances, Duration window) {
        this.instances = instances;
        this.windowNanos = window.toNanos();
    }

    /** What a rate is counted over. */
    public Duration window() {
        return Duration.ofNanos(windowNanos);
    }

    /**
     * Waits until each limit's calls in flight and answered within the window fit this instance's share (after it
     * has counted more instances: calls let through under the old share still count at the vendor), at most
     * {@code atMost}.
     */
    public void awaitWithinShares(Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        for (Limit limit : limits.values()) {
            try {
                limit.awaitWithin(instances, deadline);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Waits until a call under limit {@code name} (calls per window for the whole cluster: {@code rate}) may go out,
     * and counts it; every acquire must be followed by one {@link #done}.
     */
    public void acquire(String name, long rate) throws InterruptedException {
        long share = instances.share(rate);
        limits.computeIfAbsent(name, n -> new Limit(rate)).acquire(share);
    }

    /**
     * Gives back, uncounted, a permit that a submission took before its run was stored (exchange property
     * {@link RunExchange#RATE_PERMIT}, set by the start-job route) and did not use: the run was started elsewhere, or the submission
     * failed before its call. The provider-api route removes the property when it uses the permit.
     */
    public void release(Exchange exchange) {
        Object name = exchange.removeProperty(RunExchange.RATE_PERMIT);
        Limit limit = name == null ? null : limits.get(name.toString());
        if (limit != null) {
            limit.cancel();
        }
    }

    /** The call counted by {@link #acquire} has ended: it counts for one window more. */
    public void done(String name) {
        Limit limit = limits.get(name);
        if (limit != null) {
            limit.done();
        }
    }

    /** Calls of one limit: those in flight, and when those answered within the last window were answered. */
    private final class Limit {
        private int inFlight;
        private final ArrayDeque<Long> answered = new ArrayDeque<>();
        /** The cluster's rate of this limit (the provider-rate route's, the same for every call). */
        private final long rate;

        Limit(long rate) {
            this.rate = rate;
        }

        synchronized void acquire(long share) throws InterruptedException {
            while (true) {
                long now = System.nanoTime();
                forgetOlderThanWindow(now);
                if (inFlight + answered.size() < share) {
                    inFlight++;
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(this, untilOldestLeaves(now));
            }
        }

        synchronized void awaitWithin(Instances instances, long deadlineNanos) throws InterruptedException {
            while (true) {
                long now = System.nanoTime();
                forgetOlderThanWindow(now);
                if (inFlight + answered.size() <= instances.shareNow(rate) || now - deadlineNanos >= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(untilOldestLeaves(now), deadlineNanos - now));
            }
        }

        /** How long to wait for the oldest answer to leave the window (a call that ends wakes the waiter sooner). */
        private long untilOldestLeaves(long now) {
            return Math.max(answered.isEmpty() ? windowNanos : windowNanos - (now - answered.peekFirst()), 100_000);
        }

        private void forgetOlderThanWindow(long now) {
            while (!answered.isEmpty() && now - answered.peekFirst() >= windowNanos) {
                answered.pollFirst();
            }
        }

        synchronized void cancel() {
            if (inFlight > 0) {
                inFlight--;
                notifyAll();
            }
        }

        synchronized void done() {
            if (inFlight > 0) {
                inFlight--;
                answered.addLast(System.nanoTime());
                notifyAll();
            }
        }
    }
}
