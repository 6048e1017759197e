package io.bulkexport.run;

import java.time.Duration;

/**
 * How often to ask a vendor whether a request is ready: a first interval that grows by a factor up to a ceiling,
 * and an overall timeout after which the run fails.
 */
public record PollPolicy(Duration firstInterval, double backoff, Duration maxInterval, Duration timeout) {

    /** The interval after one that just passed. */
    public long nextIntervalMillis(long previousMillis) {
        if (previousMillis <= 0) {
            return firstInterval.toMillis();
        }
        return Math.min(maxInterval.toMillis(), Math.round(previousMillis * backoff));
    }
}
