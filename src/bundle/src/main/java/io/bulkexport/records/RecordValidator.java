package io.bulkexport.records;

/**
 * Checks that each record of a batch is exactly one JSON object (see {@link JsonSyntax}), moving the others to the
 * batch's quarantine with a reason that never quotes record content. Stateless and thread-safe.
 */
public final class RecordValidator {

    private static final RecordBatch.Check CHECK = JsonSyntax::objectProblem;

    /** Moves every record that is not a single JSON object (plus whitespace) to quarantine. */
    public void validate(RecordBatch batch) {
        batch.quarantineFailing(CHECK);
    }
}
