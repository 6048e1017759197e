package io.bulkexport.records;

import java.nio.file.Path;

/**
 * What a committed {@link RecordFileWriter} produced: the final file, how many records and bytes
 * it holds, the SHA-256 of those bytes, the quarantine file ({@code null} if nothing was
 * quarantined), and whether the file is the vendor's gzip file kept as it was read
 * ({@link RecordFileWriter#keepSource}).
 */
public record FileResult(Path path, long records, long bytes, String sha256Hex,
                         long quarantined, Path quarantinePath, boolean keptSource) {
}
