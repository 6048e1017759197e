package io.bulkexport.run;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

import io.bulkexport.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance among those sharing the state database: its id ({@code bulkexport.instance.id}, by default the host
 * name and process id), and its lease in the database, renewed by the {@code instance-heartbeat} route every
 * {@code bulkexport.instance.heartbeat-millis}. While its lease is live, no other instance takes, re-queues or
 * settles its runs; once it has run out ({@code bulkexport.instance.lease-seconds} after the last heartbeat: a
 * killed process) the others do. A graceful stop ends the lease at once. The lease is judged by each instance's
 * clock: keep the machines' clocks synchronised (NTP) to well within the lease.
 */
public class Instances {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.instances");

    private final StateStore store;
    private final String id;
    private final Duration lease;
    private final boolean exclusive;
    private volatile boolean registered;

    /** @param exclusive the database serves one process at a time (embedded H2): no other lease in it is live */
    public Instances(StateStore store, String id, Duration lease, boolean exclusive) {
        this.store = store;
        this.id = id;
        this.lease = lease;
        this.exclusive = exclusive;
    }

    /** The default id: host name and process id, e.g. {@code exports-7d9f-1}. */
    public static String defaultId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    public String id() {
        return id;
    }

    /** Takes the lease, as the bundle starts (before the start-up route looks at what others left). */
    public void register() {
        store.registerInstance(lease.toMillis(), exclusive);
        registered = true;
        LOG.info("instance {}: lease of {} s in the state database; instances live now: {}", id, lease.toSeconds(),
                store.liveInstances());
    }

    /** Renews the lease (the heartbeat route). */
    public void heartbeat() {
        if (registered) {
            store.renewLease(lease.toMillis());
        }
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
