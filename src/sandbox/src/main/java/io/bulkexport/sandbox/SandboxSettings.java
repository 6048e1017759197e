package io.bulkexport.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a sandbox behaves: its port, the shape and size of the data it serves, how long requests take to
 * become ready, and which of the variants seen on real servers it plays. Immutable; change it with the
 * {@code with...} methods, starting from {@link #defaults()}.
 *
 * @param port            port to listen on, 0 for a free one
 * @param filesPerRequest files a (generated, unlimited) request serves
 * @param recordsPerFile  lines per file, at most {@value #MAX_RECORDS_PER_FILE}
 * @param recordBytes     approximate UTF-8 size of one generated JSON record
 * @param readyAfter      time from submission until a request is ready
 * @param malformedEvery  0 for never; otherwise every Nth line of each file is not JSON
 * @param apiKey          the only key accepted, or null to accept any non-empty key
 * @param pendingStyle    how a request that is not ready yet is reported
 * @param submitStatus    status of a successful submission (201 in the docs, 200 seen too)
 * @param idKey           JSON key of the request id in the submit answer ("request_id" or "data_request_id")
 * @param filesDir        when set, the gzip files (*.gz) of this directory are served byte for byte instead of generated data
 * @param hostileNames    file names carry expression and URL payloads ({@code ${env:…}}, {@code {{…}}}, {@code ?…&…},
 *                        {@code #bean}, {@code %}), as a hostile or careless vendor could name them
 */
public record SandboxSettings(
        int port,
        int filesPerRequest,
        int recordsPerFile,
        int recordBytes,
        Duration readyAfter,
        int malformedEvery,
        String apiKey,
        PendingStyle pendingStyle,
        int submitStatus,
        String idKey,
        Path filesDir,
        boolean hostileNames) {

    /** Most lines the vendor puts in one file. */
    public static final int MAX_RECORDS_PER_FILE = 10_000;

    /** How a status request for a request that is not ready yet is answered. */
    public enum PendingStyle {
        /** 202 with {@code {"message": "Data request is still being processed"}}. */
        ACCEPTED_202,
        /** 200 with an empty file list. */
        EMPTY_LIST_200
    }

    /** Checks the values. */
    public SandboxSettings {
        Objects.requireNonNull(readyAfter, "readyAfter");
        Objects.requireNonNull(pendingStyle, "pendingStyle");
        Objects.requireNonNull(idKey, "idKey");
        require(port >= 0 && port <= 65_535, "port must be 0..65535");
        require(filesPerRequest >= 0, "filesPerRequest must be >= 0");
        require(recordsPerFile >= 1 && recordsPerFile <= MAX_RECORDS_PER_FILE,
                "recordsPerFile must be 1.." + MAX_RECORDS_PER_FILE);
        require(recordBytes >= 0, "recordBytes must be >= 0");
        require(!readyAfter.isNegative(), "readyAfter must not be negative");
        require(malformedEvery >= 0, "malformedEvery must be >= 0");
        require(apiKey == null || !apiKey.isEmpty(), "apiKey must be null or non-empty");
        require(submitStatus >= 200 && submitStatus <= 299, "submitStatus must be a 2xx status");
        require(!idKey.isBlank(), "idKey must not be blank");
    }

    /** Ephemeral port, 3 files of 1000 records of about 1000 bytes, ready after 2 s, documented answers. */
    public static SandboxSettings defaults() {
        return new SandboxSettings(0, 3, 1000, 1000, Duration.ofSeconds(2), 0, null,
                PendingStyle.ACCEPTED_202, 201, "request_id", null, false);
    }

    /** A copy listening on this port. */
    public SandboxSettings withPort(int value) {
        return new SandboxSettings(value, filesPerRequest, recordsPerFile, recordBytes, readyAfter, malformedEvery,
                apiKey, pendingStyle, submitStatus, idKey, filesDir, hostileNames);
    }

    /** A copy serving this many files per request. */
    public SandboxSettings withFilesPerRequest(int value) {
        return new SandboxSettings(port, value, recordsPerFile, recordBytes, readyAfter, malformedEvery,
                apiKey, pendingStyle, submitStatus, idKey, filesDir, hostileNames);
    }

    /** A copy with this many lines per file. */
    public SandboxSettings withRecordsPerFile(int value) {
        return new SandboxSettings(port, filesPerRequest, value, recordBytes, readyAfter, malformedEvery,
                apiKey, pendingStyle, submitStatus, idKey, filesDir, hostileNames);
    }

    /** A copy generating records of about this many bytes. */
    public SandboxSettings withRecordBytes(int value) {
        return new SandboxSettings(port, filesPerRequest, recordsPerFile, value, readyAfter, malformedEvery,
                apiKey, pendingStyle, submitStatus, idKey, filesDir, hostileNames);
    }

    /** A copy whose requests become ready this long after submission (zero: at once). */
    public SandboxSettings withReadyAfter(Duration value) {
        return new SandboxSettings(port, filesPerRequest, recordsPerFile, recordBytes, value, malformedEvery,
                apiKey, pendingStyle, submitStatus, idKey, filesDir, hostileNames);
    }

    /** A copy where every Nth line of each file is malformed (0: none). */
    public SandboxSettings withMalformedEvery(int value) {
        return new SandboxSettings(port, filesPerRequest, recordsPerFile, recordBytes, readyAfter, value,
                apiKey, pendingStyle, submitStatus, idKey, filesDir, hostileNames);
    }

    /** A copy accepting only this key (null: any non-empty key). */
    public SandboxSettings withApiKey(String value) {
        return new SandboxSettings(port, filesPerRequest, recordsPerFile, recordBytes, readyAfter, malformedEvery,
                value, pendingStyle, submitStatus, idKey, filesDir, hostileNames);
    }

    /** A copy reporting pending requests this way. */
    public SandboxSettings withPendingStyle(PendingStyle value) {
        return new SandboxSettings(port, filesPerRequest, recordsPerFile, recordBytes, readyAfter, malformedEvery,
                apiKey, value, submitStatus, idKey, filesDir, hostileNames);
    }

    /** A copy answering successful submissions with this status. */
    public SandboxSettings withSubmitStatus(int value) {
        return new SandboxSettings(port, filesPerRequest, recordsPerFile, recordBytes, readyAfter, malformedEvery,
                apiKey, pendingStyle, value, idKey, filesDir, hostileNames);
    }

    /** A copy naming the request id with this JSON key in submit answers. */
    public SandboxSettings withIdKey(String value) {
        return new SandboxSettings(port, filesPerRequest, recordsPerFile, recordBytes, readyAfter, malformedEvery,
                apiKey, pendingStyle, submitStatus, value, filesDir, hostileNames);
    }

    /** A copy serving the gzip files (*.gz) of this directory (null: generate data). */
    public SandboxSettings withFilesDir(Path value) {
        return new SandboxSettings(port, filesPerRequest, recordsPerFile, recordBytes, readyAfter, malformedEvery,
                apiKey, pendingStyle, submitStatus, idKey, value, hostileNames);
    }

    /** A copy whose file names carry expression and URL payloads (see {@link #hostileNames}). */
    public SandboxSettings withHostileNames(boolean value) {
        return new SandboxSettings(port, filesPerRequest, recordsPerFile, recordBytes, readyAfter, malformedEvery,
                apiKey, pendingStyle, submitStatus, idKey, filesDir, value);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
