package io.bulkexport.sandbox;

import java.time.Instant;
import java.util.List;

/**
 * A submission the sandbox accepted.
 *
 * @param requestId   the id it was given
 * @param dataset     dataset from the path, e.g. "employee_base"
 * @param method      method from the path, e.g. "es_dsl" or "id_file"
 * @param body        the JSON body as sent; null for id_file uploads
 * @param ids         the distinct ids of an id_file upload, in file order; empty otherwise
 * @param limit       the body's "limit", or null if none was given
 * @param submittedAt when it arrived
 */
public record Submission(String requestId, String dataset, String method, String body, List<Long> ids,
                         Long limit, Instant submittedAt) {

    /** Copies the id list. */
    public Submission {
        ids = List.copyOf(ids);
    }

    /** Number of ids uploaded (0 for JSON submissions). */
    public int idCount() {
        return ids.size();
    }
}
