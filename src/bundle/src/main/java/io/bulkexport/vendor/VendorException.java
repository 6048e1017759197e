package io.bulkexport.vendor;

/** A vendor answered with an error status. The message is meant for the user and never holds a credential. */
public abstract class VendorException extends RuntimeException {
    private final String provider;
    private final int statusCode;

    protected VendorException(String provider, int statusCode, String message) {
        super(message);
        this.provider = provider;
        this.statusCode = statusCode;
    }

    public String getProvider() {
        return provider;
    }

    /** The HTTP status the vendor answered; routes test it as {@code ${exception.statusCode}}. */
    public int getStatusCode() {
        return statusCode;
    }
}
