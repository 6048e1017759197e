package io.bulkexport.vendor;

/** A vendor answer worth retrying later: 429 (too many requests) or a 5xx. */
public class RetryableVendorException extends VendorException {
    private final Long retryAfterMillis;

    public RetryableVendorException(String provider, int statusCode, String message, Long retryAfterMillis) {
        super(provider, statusCode, message);
        this.retryAfterMillis = retryAfterMillis;
    }

    /** What the vendor's {@code Retry-After} asked for, or null. */
    public Long getRetryAfterMillis() {
        return retryAfterMillis;
    }
}
