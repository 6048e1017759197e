package io.bulkexport;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A record transform of your own, for a job file's {@code transform_bean: NAME} (a bean of that name in the Camel
 * registry). Called for each record in the record loop, on the download's thread: keep it quick and free of shared
 * state. What it returns lands in place of the record: none drops it, one replaces it, several are landed in order.
 * Each must be a JSON object. A record it throws for goes to the file's quarantine with the exception's message.
 */
@FunctionalInterface
public interface RecordTransform {
    List<JsonNode> apply(JsonNode record) throws Exception;
}
