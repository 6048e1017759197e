package io.bulkexport.records;

import java.nio.file.Path;

/**
 * What a committed {@link RecordFileWriter} produced: the final file, how many records and bytes
 * it holds, the SHA-256 of those bytes, and the quarantine file ({@code null} if nothing was
 * quarantined).
 */
public record FileResult(Path path, long records, long bytes, String sha256Hex,
                         long quarantined, Path quarantinePath) {
}
