package io.bulkexport.run;

import io.bulkexport.state.FileClaim;

/**
 * An attempt at a file lost its claim: this instance's lease lapsed and the file may be another instance's now. The
 * attempt's output is discarded and the file is left to its current claimant; never retried here.
 */
public class SupersededException extends RuntimeException implements Retries.NotRetryable {
    public SupersededException(FileClaim claim) {
        super("the attempt at file " + claim.fileName() + " was superseded: this instance no longer holds the file's"
                + " claim " + claim.epoch() + " (its lease lapsed); its output is discarded and the file is left to"
                + " the instance that holds it now", null, false, false);
    }
}
