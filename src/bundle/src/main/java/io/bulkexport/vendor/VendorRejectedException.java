package io.bulkexport.vendor;

/** A vendor answer that retrying cannot change (400, 401, 402, 404, 409, 422…): the job fails with its message. */
public class VendorRejectedException extends VendorException {
    public VendorRejectedException(String provider, int statusCode, String message) {
        super(provider, statusCode, message);
    }
}
