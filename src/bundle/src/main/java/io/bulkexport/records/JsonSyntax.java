package io.bulkexport.records;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Decides whether a record is exactly one JSON object (RFC 8259), optionally surrounded by JSON whitespace, and
 * valid UTF-8 throughout. Reads the bytes front to back (inside strings eight at a time where it can), without
 * building values and without recursion: nesting is tracked in a bit stack (one bit per open container, object or
 * array) and bounded at {@link #MAX_DEPTH} levels. Allocates nothing for a valid record nested up to 64 levels
 * (deeper ones take one small array). Stateless and thread-safe.
 *
 * <p>Reasons are fixed phrases plus a 1-based byte column, never record content: {@link #NOT_AN_OBJECT} when the
 * first non-whitespace byte is not '{', {@link #TRAILING_DATA} when anything but whitespace follows the object, and
 * otherwise {@code "not valid JSON: <what> at column <n>"}, where column n is the byte at which the record stops
 * being JSON (its length + 1 when it ends too early).
 *
 * <p>Strictness: UTF-8 is checked everywhere as the Unicode standard defines it (no overlong forms, no encoded
 * surrogates, nothing above U+10FFFF, no truncated sequence). A {@code \}{@code uXXXX} escape of a lone surrogate is
 * accepted, as the JSON grammar allows: the bytes stay ASCII and so valid UTF-8. Numbers, strings and names are
 * not limited in length beyond the record's own size limit.
 */
final class JsonSyntax {

    static final String NOT_AN_OBJECT = "not a JSON object";
    static final String TRAILING_DATA = "trailing data after JSON object";
    /** Most containers open at once, the record's own object included; as Jackson's default limit. */
    static final int MAX_DEPTH = 1000;

    // what the parser expects next (after skipping whitespace)
    private static final int OPENED = 0;      // just after '{' or '[': a member / element, or the closing bracket
    private static final int NAME = 1;        // after ',' in an object
    private static final int VALUE = 2;       // after ':' in an object or ',' in an array
    private static final int AFTER_VALUE = 3; // ',' or the closing bracket

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH = 0x8080808080808080L;

    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    private JsonSyntax() {
    }

    /** Returns {@code null} for one JSON object surrounded by nothing but whitespace, else a short reason. */
    static String objectProblem(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        final int end = offset + length;
        int i = skipWhitespace(data, offset, end);
        if (i == end || data[i] != '{') {
            return NOT_AN_OBJECT;
        }
        i++;
        long shallow = 1;   // bit d: the container at depth d (0 = the record) is an object; depths 0..63
        long[] deep = null; // the same for depths 64 and more, made only for records nested that deep
        int depth = 1;      // containers open
        boolean inObject = true;
        int state = OPENED;
        while (true) {
            i = skipWhitespace(data, i, end);
            if (i == end) {
                return invalid("Unexpected end-of-input", end, offset);
            }
            byte c = data[i];
            if ((state == OPENED || state == AFTER_VALUE) && c == (inObject ? '}' : ']')) {
                i++;
                if (--depth == 0) {
                    return skipWhitespace(data, i, end) == end ? null : TRAILING_DATA;
                }
                int top = depth - 1;
                inObject = top < 64 ? (shallow >>> top & 1) != 0 : (deep[(top - 64) >>> 6] >>> ((top - 64) & 63) & 1) != 0;
                state = AFTER_VALUE;
            } else if (state == AFTER_VALUE) {
                if (c != ',') {
                    return unexpected(data, i, offset, false);
                }
                i++;
                state = inObject ? NAME : VALUE;
            } else if (inObject && state != VALUE) { // a member's name, then ':'
                if (c != '"') {
                    return unexpected(data, i, offset, false);
                }
                i = skipString(data, i + 1, end);
                if (i < 0) {
                    return stringProblem(data, ~i, end, offset);
                }
                i = skipWhitespace(data, i, end);
                if (i == end) {
                    return invalid("Unexpected end-of-input", end, offset);
                }
                if (data[i] != ':') {
                    return unexpected(data, i, offset, false);
                }
                i++;
                state = VALUE;
            } else if (c == '"') {
                i = skipString(data, i + 1, end);
                if (i < 0) {
                    return stringProblem(data, ~i, end, offset);
                }
                state = AFTER_VALUE;
            } else if (c == '{' || c == '[') {
                if (depth == MAX_DEPTH) {
                    return invalid("Nesting deeper than " + MAX_DEPTH + " levels", i, offset);
                }
                inObject = c == '{';
                if (depth < 64) {
                    shallow = inObject ? shallow | 1L << depth : shallow & ~(1L << depth);
                } else {
                    if (deep == null) {
                        deep = new long[(MAX_DEPTH - 64 + 63) >>> 6];
                    }
                    int bit = depth - 64;
                    long mask = 1L << (bit & 63);
                    deep[bit >>> 6] = inObject ? deep[bit >>> 6] | mask : deep[bit >>> 6] & ~mask;
                }
                depth++;
                i++;
                state = OPENED;
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                i = skipNumber(data, i, end);
                if (i < 0) {
                    return ~i == end ? invalid("Unexpected end-of-input", end, offset)
                            : invalid("Invalid numeric value", ~i, offset);
                }
                state = AFTER_VALUE;
            } else if (c == 't' || c == 'f' || c == 'n') {
                byte[] literal = c == 't' ? TRUE : c == 'f' ? FALSE : NULL;
                int next = skipLiteral(data, i, end, literal);
                if (next < 0) {
                    return ~next == end ? invalid("Unexpected end-of-input", end, offset)
                            : invalid("Unrecognized token", i, offset);
                }
                i = next;
                state = AFTER_VALUE;
            } else {
                return unexpected(data, i, offset, true);
            }
        }
    }

    private static int skipWhitespace(byte[] data, int i, int end) {
        while (i < end) {
            byte c = data[i];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                break;
            }
            i++;
        }
        return i;
    }

    /**
     * Skips a string whose content starts at {@code i} (just after the opening quote). Returns the index after the
     * closing quote, or {@code ~p} where p is the byte that breaks it: {@code end} if the string is not closed, a
     * backslash starting a bad escape, a control character, or the first byte of an invalid UTF-8 sequence.
     *
     * <p>Eight bytes a step while they are plainly fine (see {@link #plainBlock}), then one character a step for at
     * least the next eight bytes, and so on. A string's content starts two bytes or more into the record (after '{'
     * and '"'), so the two bytes that plainBlock reads before it are the record's.
     */
    private static int skipString(byte[] data, int i, int end) {
        while (true) {
            int from = i;
            while (end - i >= 8 && plainBlock(data, i)) {
                i += 8;
            }
            if (i != from) { // the last sequence before i may go on past it, unchecked: read it again
                int last = i - 1;
                while (data[last] < -64) {
                    last--;
                }
                if (data[last] < 0) {
                    i = last;
                }
            }
            for (int until = i + 8; i < until; ) {
                if (i >= end) {
                    return ~end;
                }
                byte c = data[i];
                if (c >= 0x20 && c != '"' && c != '\\') { // printable ASCII
                    i++;
                } else if (c < 0) {
                    int next = skipUtf8Sequence(data, i, end);
                    if (next < 0) {
                        return ~i;
                    }
                    i = next;
                } else if (c == '"') {
                    return i + 1;
                } else if (c == '\\') {
                    int next = skipEscape(data, i, end);
                    if (next < 0) {
                        return ~i;
                    }
                    i = next;
                } else {
                    return ~i; // a control character: JSON wants it escaped
                }
            }
        }
    }

    /**
     * Whether the eight bytes at {@code i}, inside a string whose bytes before {@code i} are known to be well-formed
     * UTF-8 up to a possibly unfinished last sequence, can be skipped without a closer look: no quote, backslash or
     * control character; no byte that could start something needing more checks (C0, C1: overlong; E0, ED: 3-byte
     * forms with a restricted second byte; F0 and above: 4-byte forms and bytes never in UTF-8); and every byte a
     * continuation byte exactly when one is due: after a lead byte C2..EF, or two after a lead byte E1..EF.
     * Each test works on all eight bytes at once, one bit per byte (bit 7) in the result. A block that fails is read
     * again a character at a time, which finds any real problem and its exact place.
     */
    private static boolean plainBlock(byte[] data, int i) {
        long w = (long) LONGS.get(data, i);
        long before1 = (long) LONGS.get(data, i - 1); // the byte before each byte of w
        long before2 = (long) LONGS.get(data, i - 2); // the byte two before
        long quote = w ^ 0x2222222222222222L;
        long backslash = w ^ 0x5C5C5C5C5C5C5C5CL;
        long e0 = w ^ 0xE0E0E0E0E0E0E0E0L;
        long ed = w ^ 0xEDEDEDEDEDEDEDEDL;
        long c0c1 = (w | ONES) ^ 0xC1C1C1C1C1C1C1C1L;
        long w1 = w << 1; // bit 6 of each byte at bit 7, and so on
        long w2 = w << 2;
        // zeroByte(x) = (x - ONES) & ~x marks every zero byte (and may mark bytes above one: fine, the block fails)
        long needsALook = zeroByte(quote) | zeroByte(backslash) | ((w - 0x2020202020202020L) & ~w) // below 0x20
                | zeroByte(e0) | zeroByte(ed) | zeroByte(c0c1) | (w & w1 & w2 & (w << 3)); // F0..FF
        long continuation = w & ~w1; // 10xxxxxx
        long due = (before1 & (before1 << 1)) | (before2 & (before2 << 1) & (before2 << 2)); // 11xxxxxx, 111xxxxx
        return ((needsALook | (continuation ^ due)) & HIGH) == 0;
    }

    private static long zeroByte(long x) {
        return (x - ONES) & ~x;
    }

    /**
     * Skips the multi-byte UTF-8 sequence that starts at {@code i}, returning the index after it, or -1 if it is not
     * well-formed (Unicode table 3-7): a continuation or overlong lead byte, a missing or wrong continuation byte, an
     * overlong 3- or 4-byte form, a surrogate (U+D800..U+DFFF), or a code point above U+10FFFF.
     * Continuation bytes 0x80..0xBF are -128..-65 as Java bytes, so "is a continuation byte" is {@code b < -64}.
     */
    private static int skipUtf8Sequence(byte[] data, int i, int end) {
        int lead = data[i] & 0xFF;
        if (lead < 0xC2) {
            return -1; // 0x80..0xBF continue a sequence; 0xC0 and 0xC1 could only start overlong forms
        }
        if (lead < 0xE0) {
            return i + 1 < end && data[i + 1] < -64 ? i + 2 : -1;
        }
        if (lead < 0xF0) {
            if (end - i < 3) {
                return -1;
            }
            byte second = data[i + 1];
            byte min = lead == 0xE0 ? (byte) 0xA0 : (byte) 0x80; // below A0 after E0: overlong
            byte max = lead == 0xED ? (byte) 0x9F : (byte) 0xBF; // above 9F after ED: a surrogate
            return second >= min && second <= max && data[i + 2] < -64 ? i + 3 : -1;
        }
        if (lead < 0xF5) {
            if (end - i < 4) {
                return -1;
            }
            byte second = data[i + 1];
            byte min = lead == 0xF0 ? (byte) 0x90 : (byte) 0x80; // below 90 after F0: overlong
            byte max = lead == 0xF4 ? (byte) 0x8F : (byte) 0xBF; // above 8F after F4: beyond U+10FFFF
            return second >= min && second <= max && data[i + 2] < -64 && data[i + 3] < -64 ? i + 4 : -1;
        }
        return -1; // 0xF5..0xFF never occur in UTF-8
    }

    /** Skips the escape whose backslash is at {@code i}, returning the index after it, or -1 if it is not one. */
    private static int skipEscape(byte[] data, int i, int end) {
        if (i + 1 >= end) {
            return -1;
        }
        switch (data[i + 1]) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
                return i + 2;
            case 'u':
                if (end - i < 6) {
                    return -1;
                }
                for (int h = i + 2; h < i + 6; h++) {
                    if (!isHexDigit(data[h])) {
                        return -1;
                    }
                }
                return i + 6;
            default:
                return -1;
        }
    }

    private static boolean isHexDigit(byte c) {
        int lower = c | 0x20;
        return (c >= '0' && c <= '9') || (lower >= 'a' && lower <= 'f');
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static int skipDigits(byte[] data, int i, int end) {
        while (i < end && isDigit(data[i])) {
            i++;
        }
        return i;
    }

    /**
     * Skips the number starting at {@code i} ('-' or a digit): {@code -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?}.
     * Returns the index after it, or {@code ~p} with p the first byte that breaks the grammar ({@code end} if the
     * record ends inside the number). What follows the number is left to the caller.
     */
    private static int skipNumber(byte[] data, int i, int end) {
        if (data[i] == '-') {
            i++;
        }
        if (i == end) {
            return ~end;
        }
        if (data[i] == '0') {
            i++;
            if (i < end && isDigit(data[i])) {
                return ~i; // leading zero
            }
        } else if (isDigit(data[i])) {
            i = skipDigits(data, i + 1, end);
        } else {
            return ~i;
        }
        if (i < end && data[i] == '.') {
            i = requireDigits(data, i + 1, end);
            if (i < 0) {
                return i;
            }
        }
        if (i < end && (data[i] == 'e' || data[i] == 'E')) {
            i++;
            if (i < end && (data[i] == '+' || data[i] == '-')) {
                i++;
            }
            i = requireDigits(data, i, end);
        }
        return i;
    }

    /** One or more digits from {@code i}: the index after them, or {@code ~p} where a digit was missing. */
    private static int requireDigits(byte[] data, int i, int end) {
        if (i == end) {
            return ~end;
        }
        if (!isDigit(data[i])) {
            return ~i;
        }
        return skipDigits(data, i + 1, end);
    }

    /** The index after {@code literal} at {@code i}, or {@code ~p} where p is the first byte that differs or {@code end}. */
    private static int skipLiteral(byte[] data, int i, int end, byte[] literal) {
        for (int k = 0; k < literal.length; k++) {
            if (i + k == end) {
                return ~end;
            }
            if (data[i + k] != literal[k]) {
                return ~(i + k);
            }
        }
        return i + literal.length;
    }

    private static String stringProblem(byte[] data, int at, int end, int offset) {
        if (at == end) {
            return invalid("Unexpected end-of-input", end, offset);
        }
        byte c = data[at];
        if (c == '\\') {
            return invalid("Unrecognized character escape", at, offset);
        }
        if (c < 0) {
            return invalid("Invalid UTF-8", at, offset);
        }
        return invalid(c == 0 ? "NUL byte" : "Illegal unquoted character", at, offset);
    }

    /** A byte that cannot stand at {@code at}; {@code valueExpected} when a value should start there. */
    private static String unexpected(byte[] data, int at, int offset, boolean valueExpected) {
        byte c = data[at];
        if (c == 0) {
            return invalid("NUL byte", at, offset);
        }
        if (c > 0 && c < 0x20) {
            return invalid("Illegal character", at, offset);
        }
        if (valueExpected && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
            return invalid("Unrecognized token", at, offset);
        }
        return invalid("Unexpected character", at, offset);
    }

    private static String invalid(String what, int at, int offset) {
        return "not valid JSON: " + what + " at column " + (at - offset + 1);
    }
}
