package io.bulkexport.records;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Jackson-based answers to "is this record one JSON object?", to test {@link JsonSyntax} against. Two of them:
 * <ul>
 * <li>{@link #strict}: what the validator is meant to decide. The JDK's UTF-8 decoder, set to report every malformed
 * sequence (overlong forms, encoded surrogates, code points above U+10FFFF, truncated sequences), decides whether
 * the bytes are UTF-8; then Jackson's UTF-8 parser reads them with its processing limits lifted except the nesting
 * depth, which is set to the validator's. (Not Jackson's parser of decoded text: that one takes any character whose
 * low byte is a hex digit's code as that digit in a unicode escape: backslash, "u00e", then U+0141 passes.)</li>
 * <li>{@link #asUsedBefore}: what the export decided before {@link JsonSyntax} replaced it, kept to show where
 * the two differ: Jackson's UTF-8 parser over the record's bytes, default limits, the same pre-checks.</li>
 * </ul>
 */
final class JacksonReference {

    /** The kind of answer; reasons themselves are compared elsewhere. */
    enum Verdict {
        OBJECT, NOT_AN_OBJECT, TRAILING_DATA, NOT_VALID_JSON,
        /** Only from {@link #strict}: not UTF-8, so not valid whatever the parser says; any rejection agrees. */
        NOT_UTF8;

        /** The verdict a reason of {@link JsonSyntax} stands for. */
        static Verdict of(String reason) {
            if (reason == null) {
                return OBJECT;
            } else if (reason.equals(JsonSyntax.NOT_AN_OBJECT)) {
                return NOT_AN_OBJECT;
            } else if (reason.equals(JsonSyntax.TRAILING_DATA)) {
                return TRAILING_DATA;
            } else if (reason.startsWith("not valid JSON: ")) {
                return NOT_VALID_JSON;
            }
            throw new AssertionError("unexpected reason: " + reason);
        }

        boolean accepted() {
            return this == OBJECT;
        }

        /** Whether this reference verdict agrees with the validator's: the same, or both a rejection of non-UTF-8. */
        boolean agreesWith(Verdict validator) {
            return this == validator || (this == NOT_UTF8 && !validator.accepted());
        }
    }

    private static final JsonFactory STRICT = JsonFactory.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(JsonSyntax.MAX_DEPTH)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE)
                    .maxStringLength(Integer.MAX_VALUE)
                    .build())
            .build();

    private static final JsonFactory AS_USED_BEFORE = JsonFactory.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private JacksonReference() {
    }

    static Verdict strict(byte[] data, int offset, int length) {
        if (!startsWithBrace(data, offset, length)) {
            return Verdict.NOT_AN_OBJECT;
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data, offset, length));
        } catch (CharacterCodingException e) {
            return Verdict.NOT_UTF8;
        }
        // Jackson guesses the encoding of bytes from the first four (a NUL among them means UTF-16 or 32 to it):
        // four spaces in front, which change nothing for JSON, make it read them as UTF-8
        byte[] spaced = new byte[length + 4];
        Arrays.fill(spaced, 0, 4, (byte) ' ');
        System.arraycopy(data, offset, spaced, 4, length);
        try (JsonParser parser = STRICT.createParser(spaced)) {
            return oneObject(parser);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The decision RecordValidator made with Jackson before JsonSyntax, its reasons reduced to their kind. */
    static Verdict asUsedBefore(byte[] data, int offset, int length) {
        if (!startsWithBrace(data, offset, length)) {
            return Verdict.NOT_AN_OBJECT;
        }
        for (int j = offset, probeEnd = Math.min(offset + length, offset + 4); j < probeEnd; j++) {
            if (data[j] == 0) {
                return Verdict.NOT_VALID_JSON; // kept Jackson from guessing UTF-16/32
            }
        }
        try (JsonParser parser = AS_USED_BEFORE.createParser(data, offset, length)) {
            return oneObject(parser);
        } catch (IOException e) {
            return Verdict.NOT_VALID_JSON; // as before: "not valid JSON: " and the exception's class
        }
    }

    private static boolean startsWithBrace(byte[] data, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n')) {
            i++;
        }
        return i < end && data[i] == '{';
    }

    private static Verdict oneObject(JsonParser parser) throws IOException {
        try {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return Verdict.NOT_AN_OBJECT;
            }
            parser.skipChildren();
        } catch (JsonProcessingException e) {
            return Verdict.NOT_VALID_JSON;
        }
        try {
            return parser.nextToken() == null ? Verdict.OBJECT : Verdict.TRAILING_DATA;
        } catch (JsonProcessingException e) {
            return Verdict.TRAILING_DATA;
        }
    }
}
