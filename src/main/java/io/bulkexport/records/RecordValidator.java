package io.bulkexport.records;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;

import java.io.IOException;

/**
 * Checks that each record of a batch is exactly one JSON object, moving the others to the
 * batch's quarantine. Streams over the bytes without building values; stateless and thread-safe.
 */
public final class RecordValidator {

    static final String NOT_AN_OBJECT = "not a JSON object";
    static final String TRAILING_DATA = "trailing data after JSON object";

    /** Shared and thread-safe; never puts record content into error locations. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private static final RecordBatch.Check CHECK = RecordValidator::problem;

    /** Moves every record that is not a single JSON object (plus whitespace) to quarantine. */
    public void validate(RecordBatch batch) {
        batch.quarantineFailing(CHECK);
    }

    /** Returns {@code null} for one JSON object followed by nothing but whitespace, else a short reason. */
    static String problem(byte[] data, int offset, int length) {
        String early = problemBeforeParsing(data, offset, length);
        if (early != null) {
            return early;
        }
        try (JsonParser parser = JSON.createParser(data, offset, length)) {
            try {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    return NOT_AN_OBJECT;
                }
                parser.skipChildren();
            } catch (JsonProcessingException e) {
                return notValidJson(e);
            }
            try {
                return parser.nextToken() == null ? null : TRAILING_DATA;
            } catch (JsonProcessingException e) {
                return TRAILING_DATA;
            }
        } catch (IOException e) {
            return "not valid JSON: " + e.getClass().getSimpleName();
        }
    }

    /**
     * Cheap checks that also pin the parser to UTF-8: Jackson guesses the encoding of a byte
     * array, and would read a line starting with a byte order mark or with NUL bytes near its
     * start as UTF-16/32.
     */
    private static String problemBeforeParsing(byte[] data, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n')) {
            i++;
        }
        if (i == end || data[i] != '{') {
            return NOT_AN_OBJECT;
        }
        for (int j = offset, probeEnd = Math.min(end, offset + 4); j < probeEnd; j++) {
            if (data[j] == 0) {
                return "not valid JSON: NUL byte at column " + (j - offset + 1);
            }
        }
        return null;
    }

    private static String notValidJson(JsonProcessingException e) {
        String reason = "not valid JSON: " + ParseErrorReason.of(e.getOriginalMessage());
        JsonLocation location = e.getLocation();
        if (location != null && location.getColumnNr() > 0) {
            reason += " at column " + location.getColumnNr();
        }
        return reason;
    }
}
