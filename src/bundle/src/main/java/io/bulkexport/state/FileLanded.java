package io.bulkexport.state;

/** What a sink reports for a file it landed: where, how many records, and the output's checksum. */
public record FileLanded(String location, long records, long bytes, long quarantined, String sha256,
                         String quarantineLocation) {
}
