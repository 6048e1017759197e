package io.bulkexport.run;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.bulkexport.state.FileClaim;
import io.bulkexport.state.RunFile;
import io.bulkexport.state.StateStore;
import org.apache.camel.Exchange;

/**
 * The files this instance has claimed and is fetching. A claim travels with the file's exchange (property
 * {@value RunExchange#FILE_CLAIM}); the ledger lands or fails the file only under it ({@link Landings}). When this instance finds
 * that its lease lapsed (it was frozen, or cut off from the database), it {@link #revokeAll revokes} every claim in
 * flight: each download stops at its next batch of records, superseded, and leaves the file to whoever claims it now.
 */
public class FileClaims {
    /** Exchange property holding the {@link FileClaim} of the file being fetched. */

    private final StateStore store;
    private final Set<FileClaim> inFlight = ConcurrentHashMap.newKeySet();

    public FileClaims(StateStore store) {
        this.store = store;
    }

    /**
     * Before a file is fetched (body: its {@link RunFile}): claims it for this instance and puts the claim on the
     * exchange; false if another instance fetches it (or it is settled).
     */
    public boolean claim(Exchange exchange) {
        RunFile file = exchange.getMessage().getBody(RunFile.class);
        Optional<FileClaim> claim = store.files().claim(exchange.getProperty(RunExchange.RUN_ID, String.class), file.fileName());
        claim.ifPresent(held -> {
            inFlight.add(held);
            exchange.setProperty(RunExchange.FILE_CLAIM, held);
        });
        return claim.isPresent();
    }

    /** The file's attempt ended (landed, failed or superseded): its claim is no longer in flight here. */
    void settled(FileClaim claim) {
        if (claim != null) {
            inFlight.remove(claim);
        }
    }

    /** Revokes every claim in flight; returns how many. */
    public int revokeAll() {
        int revoked = 0;
        for (FileClaim claim : inFlight) {
            claim.revoke();
            inFlight.remove(claim);
            revoked++;
        }
        return revoked;
    }

    /** The claim of the file the exchange is fetching (null before one is claimed). */
    public static FileClaim of(Exchange exchange) {
        return exchange.getProperty(RunExchange.FILE_CLAIM, FileClaim.class);
    }

    /** Throws {@link SupersededException} if the claim of the file the exchange is fetching has been revoked. */
    public static void requireHeld(Exchange exchange) {
        FileClaim claim = of(exchange);
        if (claim != null && claim.revoked()) {
            throw new SupersededException(claim);
        }
    }
}
