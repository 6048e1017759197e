package io.bulkexport.records;

/**
 * A source line that was rejected, with its 1-based line number, a short reason that never
 * quotes record content, and the raw line bytes (possibly truncated for overlong lines).
 */
public record QuarantinedRecord(long line, String reason, byte[] raw) {
}
