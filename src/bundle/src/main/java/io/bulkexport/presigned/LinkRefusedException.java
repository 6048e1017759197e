package io.bulkexport.presigned;

import io.bulkexport.vendor.VendorRejectedException;

/** A presigned URL answered 403: expired, or its signature refused. A fresh listing gives a fresh URL. */
public class LinkRefusedException extends VendorRejectedException {
    public LinkRefusedException(String provider, String message) {
        super(provider, 403, message);
    }
}
