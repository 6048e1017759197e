package io.bulkexport.state;

import java.time.Clock;
import java.util.List;

/**
 * The instances sharing the state database, each with a lease it renews: a run or file whose owner's lease has run
 * out is another instance's to take over. Time is this store's clock, in epoch milliseconds.
 */
public class Leases {
    private final StateJdbc jdbc;
    private final Clock clock;
    private final String instanceId;

    Leases(StateJdbc jdbc, Clock clock, String instanceId) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.instanceId = instanceId;
    }

    /**
     * Registers this instance with a lease of {@code leaseMillis}. Runs stamped with its id come from an earlier
     * process that had the same id (a restarted container): nothing of theirs is in flight now, so they lose their
     * owner and are settled like any dead instance's.
     *
     * @param exclusive the database serves one process at a time (embedded H2): every other lease in it is a dead
     *                  process's, ended now, so a restart settles what it left at once
     * @return the time by this instance's clock when the registration was committed: an instance that began counting
     *         the live ones later ({@link #othersUncountedSince}) counted this one
     */
    public long register(long leaseMillis, boolean exclusive) {
        long now = clock.millis();
        if (exclusive) {
            jdbc.update("UPDATE bulkexport_instance SET lease_until = 0 WHERE instance_id <> ?", instanceId);
        }
        if (jdbc.update("UPDATE bulkexport_instance SET started_at = ?, lease_until = ? WHERE instance_id = ?", now,
                now + leaseMillis, instanceId) == 0) {
            insert(now, leaseMillis);
        }
        jdbc.update("UPDATE bulkexport_run SET owner = NULL WHERE owner = ?", instanceId);
        releaseFileClaims();
        return clock.millis();
    }

    /**
     * Takes this instance's lease again after it lapsed ({@link #renew} said so): gives up the claims of the files
     * it was fetching, which other instances may hold now (its attempts at them are fenced off), and keeps its runs:
     * a submission it is sending is still its own to answer, unless another instance has settled it meanwhile.
     *
     * @return as {@link #register}
     */
    public long registerAfterLapse(long leaseMillis) {
        long now = clock.millis();
        if (jdbc.update("UPDATE bulkexport_instance SET lease_until = ? WHERE instance_id = ?", now + leaseMillis,
                instanceId) == 0) {
            insert(now, leaseMillis);
        }
        releaseFileClaims();
        return clock.millis();
    }

    /**
     * Renews this instance's lease for {@code leaseMillis} from now, if it is still live. False when it has lapsed
     * (or its row is gone): other instances may have taken this one's files and runs meanwhile, so it must not carry
     * on as if nothing happened, but give up its claims and register again ({@link #registerAfterLapse}).
     */
    public boolean renew(long leaseMillis) {
        long now = clock.millis();
        return jdbc.update("UPDATE bulkexport_instance SET lease_until = ? WHERE instance_id = ? AND lease_until > ?",
                now + leaseMillis, instanceId, now) == 1;
    }

    /**
     * Records that this instance counted the live instances, in a count that began at {@code countedAt} (by this
     * store's clock, {@link #millis}), and holds to it: an instance registered before then may call vendors.
     */
    public void counted(long countedAt) {
        jdbc.update("UPDATE bulkexport_instance SET counted_at = ? WHERE instance_id = ?", countedAt, instanceId);
    }

    /** Now, by the clock this store judges leases with. */
    public long millis() {
        return clock.millis();
    }

    /**
     * How many other live instances have not counted the live ones since {@code registeredAt} (so may not know of
     * this one yet). A joining instance waits for 0 before it calls vendors.
     */
    public int othersUncountedSince(long registeredAt) {
        return jdbc.first("SELECT COUNT(*) AS uncounted FROM bulkexport_instance WHERE lease_until > ?"
                        + " AND instance_id <> ? AND (counted_at IS NULL OR counted_at <= ?)",
                rs -> rs.getInt("uncounted"), clock.millis(), instanceId, registeredAt).orElse(0);
    }

    /**
     * A graceful stop: this instance's lease ends now, and the runs it was polling or downloading lose their owner,
     * so another instance takes them over at once instead of waiting for the lease to run out. A run still
     * SUBMITTING keeps it: its outcome is unknown, and the others see the lease ended.
     */
    public void release() {
        jdbc.update("UPDATE bulkexport_run SET owner = NULL WHERE owner = ? AND status IN (?, ?)", instanceId,
                RunStatus.SUBMITTED.name(), RunStatus.DOWNLOADING.name());
        releaseFileClaims();
        // ended now: not live any more, and for a moment still among those whose calls a vendor may be counting
        jdbc.update("UPDATE bulkexport_instance SET lease_until = ? WHERE instance_id = ?", clock.millis(), instanceId);
    }

    /** The instances whose lease is live, this one included. */
    public List<String> live() {
        return within(0);
    }

    /**
     * The instances whose lease is live or ended less than {@code graceMillis} ago (a vendor may still count their
     * last calls), this one included.
     */
    public List<String> within(long graceMillis) {
        return jdbc.query("SELECT instance_id FROM bulkexport_instance WHERE lease_until > ? ORDER BY instance_id",
                rs -> rs.getString("instance_id"), clock.millis() - graceMillis);
    }

    private void insert(long now, long leaseMillis) {
        jdbc.update("INSERT INTO bulkexport_instance (instance_id, started_at, lease_until) VALUES (?,?,?)",
                instanceId, now, now + leaseMillis);
    }

    private void releaseFileClaims() {
        jdbc.update("UPDATE bulkexport_file SET claimed_by = NULL WHERE claimed_by = ? AND status = ?", instanceId,
                FileStatus.PENDING.name());
    }
}
