package io.bulkexport.vendor;

/**
 * A vendor file is past the date after which the vendor no longer serves it: it is not fetched (nor retried), and
 * only a new run can get its records.
 */
public class FileExpiredException extends VendorException {
    public FileExpiredException(String provider, String message) {
        super(provider, 410, message);
    }
}
