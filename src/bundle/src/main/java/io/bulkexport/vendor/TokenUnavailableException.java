package io.bulkexport.vendor;

/**
 * No access token could be had (the token endpoint was unreachable or failing): the API call was not sent, so it
 * is safe to try again later, even for a submission.
 */
public class TokenUnavailableException extends RetryableVendorException {
    public TokenUnavailableException(String provider, int statusCode, String message) {
        super(provider, statusCode, message, null);
    }
}
