package io.bulkexport.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;

import io.bulkexport.sink.SinkUnavailableException;
import io.bulkexport.vendor.RetryableVendorException;
import io.bulkexport.vendor.TokenUnavailableException;
import io.bulkexport.vendor.VendorRejectedException;

/**
 * What may be tried again, decided here for the error handling routes ({@code routes/error-handling.yaml} calls
 * {@link #submission} and {@link #download} as bean {@code retries}) and for the run life cycle ({@link Runs}). How
 * many times and how long between is {@link RetryPolicy}'s.
 *
 * <p>A failure marked {@link NotRetryable} is never retried, whatever it wraps: its bytes or its answer would be the
 * same the next time (a file that is not gzip, a decompression bomb).
 */
public final class Retries {
    /** A failure that trying again cannot change. */
    public interface NotRetryable {
    }

    /**
     * Whether a failed submission may be sent again: only when the answer proves the vendor did not take it (429,
     * 503). Anything else fails the run or marks it NEEDS_ATTENTION, never re-sent: submitting costs money.
     */
    public boolean submission(Throwable failure) {
        return !marked(failure) && failure instanceof RetryableVendorException retry
                && (retry.getStatusCode() == 429 || retry.getStatusCode() == 503);
    }

    /**
     * Whether a failed download may be fetched again from the start: a retryable vendor answer (429, 5xx), an
     * unreachable sink, or a broken, stalled or truncated stream anywhere in the failure's causes.
     */
    public boolean download(Throwable failure) {
        if (marked(failure)) {
            return false;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RetryableVendorException || t instanceof SinkUnavailableException
                    || t instanceof IOException || t instanceof UncheckedIOException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /**
     * Whether a failed submission surely never reached the vendor, or was refused by it: then the run fails and can
     * be submitted again; otherwise its outcome is unknown (NEEDS_ATTENTION).
     */
    public static boolean surelyNotAccepted(Throwable failure) {
        if (failure instanceof VendorRejectedException || failure instanceof TokenUnavailableException) {
            return true; // refused, or never sent for want of an access token
        }
        if (failure instanceof RetryableVendorException retry) {
            return retry.getStatusCode() == 429 || retry.getStatusCode() == 503;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException
                    || t instanceof java.net.NoRouteToHostException || t instanceof java.net.MalformedURLException
                    || t instanceof javax.net.ssl.SSLHandshakeException
                    || t instanceof org.apache.camel.NoSuchEndpointException
                    || t instanceof org.apache.camel.ResolveEndpointFailedException) {
                // nothing reached the vendor: no connection, no TLS session, or no endpoint to send it with
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static boolean marked(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof NotRetryable) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
