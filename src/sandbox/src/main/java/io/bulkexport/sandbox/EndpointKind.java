package io.bulkexport.sandbox;

/** The kinds of endpoint an asynchronous export API has; faults are queued and matched per kind. */
public enum EndpointKind {
    /** Creating an export request. */
    SUBMIT,
    /** Polling a request for readiness or listing its files. */
    STATUS,
    /** Downloading one file of a finished request. */
    DOWNLOAD,
    /** Getting an access token (OAuth). */
    TOKEN
}
