package io.bulkexport.records;

import io.bulkexport.records.JacksonReference.Verdict;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static io.bulkexport.records.JacksonReference.Verdict.NOT_AN_OBJECT;
import static io.bulkexport.records.JacksonReference.Verdict.NOT_VALID_JSON;
import static io.bulkexport.records.JacksonReference.Verdict.OBJECT;
import static io.bulkexport.records.JacksonReference.Verdict.TRAILING_DATA;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hand-written tricky records: each with the verdict it must get, which strict Jackson ({@link JacksonReference#strict})
 * must give too, and a reason that quotes nothing of the record. The cases where the validator deliberately differs
 * from Jackson as the export used it before are listed in {@link #deliberate_differences_from_jackson_as_used_before()}.
 */
class JsonSyntaxTest {

    /** Reasons are fixed phrases and a column: nothing of the record can get in. */
    static final Pattern REASON_FORMAT = Pattern.compile("not a JSON object|trailing data after JSON object"
            + "|not valid JSON: [A-Za-z][A-Za-z0-9 -]* at column [1-9][0-9]*");

    private record Case(String name, byte[] bytes, Verdict expected) {
    }

    private final List<Case> cases = new ArrayList<>();

    /** Strings are UTF-8 encoded; Integers are single raw bytes. */
    static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String text) {
                out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            } else {
                out.write((Integer) part);
            }
        }
        return out.toByteArray();
    }

    private void add(Verdict expected, String name, Object... parts) {
        cases.add(new Case(name, bytes(parts), expected));
    }

    /** A string value holding the given raw bytes between the quotes: {"s":"<bytes>"}. */
    private void inString(Verdict expected, String name, int... raw) {
        Object[] parts = new Object[raw.length + 2];
        parts[0] = "{\"s\":\"";
        for (int i = 0; i < raw.length; i++) {
            parts[i + 1] = raw[i];
        }
        parts[raw.length + 1] = "\"}";
        add(expected, name + " in a value", parts);
        Object[] asName = parts.clone();
        asName[0] = "{\"";
        asName[raw.length + 1] = "\":0}";
        add(expected, name + " in a name", asName);
        // at every place relative to the validator's 8-byte steps, with more string after it
        for (String before : List.of("", "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh", "abcdefghi",
                "abcdefghij", "abcdefghijklmno", "abcdefghijklmnop", "ж", "жж", "aжж", "жжжжжжж", "aжжжжжжж", "東", "a東東東")) {
            Object[] placed = parts.clone();
            placed[0] = "{\"s\":\"" + before;
            placed[raw.length + 1] = "qrstuvwxyzжжжжж東東東\"}";
            add(expected, name + " after \"" + before + "\"", placed);
        }
    }

    private void notWhitespace(String name, Object... parts) {
        List<Object> before = new ArrayList<>(List.of(parts));
        before.add("{}");
        add(NOT_AN_OBJECT, name + " before", before.toArray());
        List<Object> after = new ArrayList<>(List.of(" {} "));
        after.addAll(List.of(parts));
        add(TRAILING_DATA, name + " after", after.toArray());
        List<Object> inside = new ArrayList<>(List.of("{\"a\":1"));
        inside.addAll(List.of(parts));
        inside.add("}");
        add(NOT_VALID_JSON, name + " inside", inside.toArray());
    }

    private void number(Verdict expected, String number) {
        add(expected, "number " + number, "{\"n\":", number, "}");
        add(expected, "number " + number + " in an array", "{\"n\":[", number, "]}");
    }

    private void allCases() {
        // the record and what surrounds it
        add(OBJECT, "empty object", "{}");
        add(OBJECT, "JSON whitespace around and inside", " \t\r\n{ \t\r\n\"a\" \t\r\n: \t\r\n1 \t\r\n} \t\r\n");
        add(NOT_AN_OBJECT, "empty record", "");
        add(NOT_AN_OBJECT, "whitespace only", " \t\r");
        add(NOT_AN_OBJECT, "array", "[]");
        add(NOT_AN_OBJECT, "string", "\"s\"");
        add(NOT_AN_OBJECT, "number", "1");
        add(NOT_AN_OBJECT, "null", "null");
        add(NOT_AN_OBJECT, "bare word", "hello");
        add(NOT_AN_OBJECT, "UTF-16LE byte order mark", 0xFF, 0xFE, "{", 0, "}", 0);
        add(NOT_AN_OBJECT, "closing brace only", "}");
        add(TRAILING_DATA, "second object", "{}{}");
        add(TRAILING_DATA, "second object after a space", "{} {}");
        add(TRAILING_DATA, "comma after", "{},");
        add(TRAILING_DATA, "extra closing brace", "{}}");
        add(TRAILING_DATA, "comment after", "{} // note");
        add(TRAILING_DATA, "hash comment after", "{} # note");
        add(NOT_VALID_JSON, "UTF-16LE object", "{", 0, "}", 0);
        // what is not JSON whitespace: no object before it, trailing data after it, invalid inside it
        notWhitespace("NUL", 0);
        notWhitespace("form feed", "\f");
        notWhitespace("vertical tab", 0x0B);
        notWhitespace("no-break space", "\u00A0");
        notWhitespace("line separator", "\u2028");
        notWhitespace("UTF-8 byte order mark", 0xEF, 0xBB, 0xBF);
        notWhitespace("invalid UTF-8", 0xFF);

        // objects
        add(OBJECT, "members", "{\"a\":1,\"b\":\"x\",\"c\":[],\"d\":{},\"e\":true,\"f\":false,\"g\":null}");
        add(OBJECT, "empty name", "{\"\":\"\"}");
        add(OBJECT, "duplicate names (RFC: SHOULD be unique, not MUST)", "{\"a\":1,\"a\":2}");
        add(OBJECT, "nested objects", "{\"a\":{\"b\":{\"c\":{}}}}");
        add(NOT_VALID_JSON, "NUL after the name", "{\"a\"", 0, ":1}");
        add(NOT_VALID_JSON, "trailing comma", "{\"a\":1,}");
        add(NOT_VALID_JSON, "comma only", "{,}");
        add(NOT_VALID_JSON, "leading comma", "{,\"a\":1}");
        add(NOT_VALID_JSON, "double comma", "{\"a\":1,,\"b\":2}");
        add(NOT_VALID_JSON, "missing comma", "{\"a\":1 \"b\":2}");
        add(NOT_VALID_JSON, "name only", "{\"a\"}");
        add(NOT_VALID_JSON, "no value", "{\"a\":}");
        add(NOT_VALID_JSON, "no colon", "{\"a\" 1}");
        add(NOT_VALID_JSON, "double colon", "{\"a\"::1}");
        add(NOT_VALID_JSON, "equals for colon", "{\"a\"=1}");
        add(NOT_VALID_JSON, "unquoted name", "{a:1}");
        add(NOT_VALID_JSON, "single-quoted name", "{'a':1}");
        add(NOT_VALID_JSON, "number as name", "{1:1}");
        add(NOT_VALID_JSON, "object as name", "{{}:1}");
        add(NOT_VALID_JSON, "closed by a bracket", "{\"a\":1]");
        add(NOT_VALID_JSON, "comment inside", "{/* note */}");
        add(NOT_VALID_JSON, "truncated after brace", "{");
        add(NOT_VALID_JSON, "truncated in name", "{\"a");
        add(NOT_VALID_JSON, "truncated after name", "{\"a\"");
        add(NOT_VALID_JSON, "truncated after colon", "{\"a\":");
        add(NOT_VALID_JSON, "truncated after value", "{\"a\":1");
        add(NOT_VALID_JSON, "truncated after comma", "{\"a\":1,");
        add(NOT_VALID_JSON, "truncated nested", "{\"a\":{\"b\":[1,2]}");

        // arrays
        add(OBJECT, "arrays", "{\"a\":[],\"b\":[1,\"x\",[2,[]],{},true,false,null]}");
        add(NOT_VALID_JSON, "array trailing comma", "{\"a\":[1,]}");
        add(NOT_VALID_JSON, "array leading comma", "{\"a\":[,1]}");
        add(NOT_VALID_JSON, "array missing comma", "{\"a\":[1 2]}");
        add(NOT_VALID_JSON, "array closed by a brace", "{\"a\":[1}}");
        add(NOT_VALID_JSON, "stray closing bracket", "{\"a\":]}");
        add(NOT_VALID_JSON, "name inside an array", "{\"a\":[\"b\":1]}");
        add(NOT_VALID_JSON, "truncated array", "{\"a\":[");

        // strings: escapes
        add(OBJECT, "every short escape", "{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}");
        add(OBJECT, "unicode escapes, both cases", "{\"s\":\"\\u0000\\u00e9\\u00E9\\uFFFF\\uD83D\\uDE00\"}");
        add(OBJECT, "escaped quote in a name", "{\"a\\\"b\":1}");
        add(OBJECT, "lone high surrogate escape (grammar allows it; ASCII bytes)", "{\"s\":\"\\uD800\"}");
        add(OBJECT, "lone low surrogate escape in a name", "{\"\\uDC00\":1}");
        add(OBJECT, "reversed surrogate escapes", "{\"s\":\"\\uDC00\\uD800\"}");
        add(NOT_VALID_JSON, "short unicode escape", "{\"s\":\"\\u12\"}");
        add(NOT_VALID_JSON, "unicode escape cut by the end", "{\"s\":\"\\u12");
        add(NOT_VALID_JSON, "non-hex unicode escape", "{\"s\":\"\\u12G4\"}");
        add(NOT_VALID_JSON, "capital U escape", "{\"s\":\"\\U0041\"}");
        add(NOT_VALID_JSON, "hex escape", "{\"s\":\"\\x41\"}");
        add(NOT_VALID_JSON, "escaped single quote", "{\"s\":\"\\'\"}");
        add(NOT_VALID_JSON, "escaped zero", "{\"s\":\"\\0\"}");
        add(NOT_VALID_JSON, "escaped space", "{\"s\":\"\\ \"}");
        add(NOT_VALID_JSON, "backslash escapes the closing quote", "{\"s\":\"\\\"}");
        add(NOT_VALID_JSON, "backslash at the very end", "{\"s\":\"\\");
        add(NOT_VALID_JSON, "unterminated string", "{\"s\":\"abc}");
        add(NOT_VALID_JSON, "single-quoted value", "{\"s\":'abc'}");

        // strings: raw characters
        inString(OBJECT, "DEL", 0x7F);
        inString(NOT_VALID_JSON, "raw NUL", 0x00);
        inString(NOT_VALID_JSON, "raw 0x01", 0x01);
        inString(NOT_VALID_JSON, "raw tab", 0x09);
        inString(NOT_VALID_JSON, "raw line feed", 0x0A);
        inString(NOT_VALID_JSON, "raw carriage return", 0x0D);
        inString(NOT_VALID_JSON, "raw 0x1F", 0x1F);

        // strings: well-formed UTF-8, at each boundary of table 3-7 (C2 80, DF BF, E0 A0 80, ED 9F BF, EE 80 80, ...)
        for (int codePoint : new int[] {0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFEFF, 0xFFFE, 0xFFFF, 0x10000, 0x10FFFF}) {
            byte[] encoded = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
            inString(OBJECT, String.format("U+%04X", codePoint), IntStream.range(0, encoded.length).map(k -> encoded[k] & 0xFF).toArray());
        }
        add(OBJECT, "mixed scripts", "{\"é\":\"東京 Ωmega привет 😀 \u2028\u2029\"}");

        // strings: ill-formed UTF-8
        inString(NOT_UTF8_REJECTED, "lone continuation 0x80", 0x80);
        inString(NOT_UTF8_REJECTED, "lone continuation 0xBF", 0xBF);
        inString(NOT_UTF8_REJECTED, "overlong NUL C0 80", 0xC0, 0x80);
        inString(NOT_UTF8_REJECTED, "overlong C1 BF", 0xC1, 0xBF);
        inString(NOT_UTF8_REJECTED, "overlong E0 80 80", 0xE0, 0x80, 0x80);
        inString(NOT_UTF8_REJECTED, "overlong E0 9F BF", 0xE0, 0x9F, 0xBF);
        inString(NOT_UTF8_REJECTED, "surrogate ED A0 80", 0xED, 0xA0, 0x80);
        inString(NOT_UTF8_REJECTED, "surrogate ED BF BF", 0xED, 0xBF, 0xBF);
        inString(NOT_UTF8_REJECTED, "CESU-8 surrogate pair", 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80);
        inString(NOT_UTF8_REJECTED, "overlong F0 80 80 80", 0xF0, 0x80, 0x80, 0x80);
        inString(NOT_UTF8_REJECTED, "overlong F0 8F BF BF", 0xF0, 0x8F, 0xBF, 0xBF);
        inString(NOT_UTF8_REJECTED, "above U+10FFFF F4 90 80 80", 0xF4, 0x90, 0x80, 0x80);
        inString(NOT_UTF8_REJECTED, "lead F5", 0xF5, 0x80, 0x80, 0x80);
        inString(NOT_UTF8_REJECTED, "lead F7", 0xF7, 0xBF, 0xBF, 0xBF);
        inString(NOT_UTF8_REJECTED, "lead F8 (5 bytes)", 0xF8, 0x88, 0x80, 0x80, 0x80);
        inString(NOT_UTF8_REJECTED, "byte FE", 0xFE);
        inString(NOT_UTF8_REJECTED, "byte FF", 0xFF);
        inString(NOT_UTF8_REJECTED, "2-byte lead then quote", 0xC3);
        inString(NOT_UTF8_REJECTED, "2-byte lead then ASCII", 0xC3, 'A');
        inString(NOT_UTF8_REJECTED, "3-byte lead, one continuation", 0xE6, 0x9D);
        inString(NOT_UTF8_REJECTED, "4-byte lead, two continuations", 0xF0, 0x9F, 0x98);
        inString(NOT_UTF8_REJECTED, "3-byte sequence with an ASCII third byte", 0xE6, 0x9D, 'A');
        inString(NOT_UTF8_REJECTED, "4-byte sequence with a lead as fourth byte", 0xF0, 0x9F, 0x98, 0xC3);
        add(NOT_UTF8_REJECTED, "2-byte lead at the very end", "{\"s\":\"", 0xC3);
        add(NOT_UTF8_REJECTED, "4-byte sequence cut by the end", "{\"s\":\"", 0xF0, 0x9F, 0x98);
        add(NOT_VALID_JSON, "non-ASCII outside strings", "{\"a\":1 ", 0xC3, 0xA9, "}");
        add(NOT_UTF8_REJECTED, "invalid UTF-8 outside strings", "{\"a\":1 ", 0xFF, "}");

        // numbers
        for (String valid : List.of("0", "-0", "1", "-1", "10", "1234567890", "0.0", "-0.5", "1.25", "1e5", "1E5", "1e+5",
                "1e-5", "1E+05", "0e0", "-0.0e-0", "1.5e300", "1e999999", "123.456e-789",
                "9".repeat(400), "-" + "9".repeat(999), "0." + "1".repeat(2000), "1e" + "1".repeat(1500))) {
            number(OBJECT, valid);
        }
        for (String invalid : List.of("01", "00", "-01", "+1", ".5", "-.5", "1.", "1.e5", "-", "--1", "- 1", "-a", "1e",
                "1e+", "1E-", "1ee5", "1e5.0", "1.5.3", "0x1F", "1_000", "0-1", "Infinity", "-Infinity", "NaN", "1,5e")) {
            number(NOT_VALID_JSON, invalid);
        }
        add(NOT_VALID_JSON, "number cut by the end", "{\"n\":-");
        add(NOT_VALID_JSON, "exponent cut by the end", "{\"n\":1e+");

        // literals
        add(OBJECT, "literals", "{\"t\":true,\"f\":false,\"n\":null,\"a\":[true,false,null]}");
        for (String invalid : List.of("True", "FALSE", "Null", "nul", "tru", "fals", "truex", "true1", "nulll", "nil",
                "undefined", "t", "n\"")) {
            add(NOT_VALID_JSON, "literal " + invalid, "{\"v\":", invalid, "}");
        }
        add(NOT_VALID_JSON, "literal cut by the end", "{\"v\":tr");

        // nesting
        add(OBJECT, "nested " + JsonSyntax.MAX_DEPTH + " levels (arrays)", nested(JsonSyntax.MAX_DEPTH, false));
        add(OBJECT, "nested " + JsonSyntax.MAX_DEPTH + " levels (objects)", nested(JsonSyntax.MAX_DEPTH, true));
        add(NOT_VALID_JSON, "nested " + (JsonSyntax.MAX_DEPTH + 1) + " levels (arrays)", nested(JsonSyntax.MAX_DEPTH + 1, false));
        add(NOT_VALID_JSON, "nested " + (JsonSyntax.MAX_DEPTH + 1) + " levels (objects)", nested(JsonSyntax.MAX_DEPTH + 1, true));
        add(NOT_VALID_JSON, "nested 100000 levels", nested(100_000, false));
        add(NOT_VALID_JSON, "100000 opening brackets", "{\"a\":" + "[".repeat(100_000));
        String alternating = alternating(300);
        add(OBJECT, "objects and arrays alternating, 300 levels", alternating);
        for (int depth : new int[] {2, 63, 64, 65, 66, 127, 128, 129, 200, 299}) {
            add(NOT_VALID_JSON, "wrong closing bracket at depth " + depth, swapClosing(alternating, depth));
        }

        // size
        add(OBJECT, "1 MiB string", "{\"s\":\"", "ab\u00e9\u6771".repeat(1 << 17), "\"}");
        add(OBJECT, "100000 members", "{" + "\"k\":[0],".repeat(100_000) + "\"k\":0}");
    }

    /** Stands for strict Jackson's {@link Verdict#NOT_UTF8}: the validator must reject, as invalid JSON. */
    private static final Verdict NOT_UTF8_REJECTED = Verdict.NOT_UTF8;

    /** {"a":[[...[]...]]} or {"a":{"a":...{}}} with {@code levels} containers in all, the record's own included. */
    static String nested(int levels, boolean objects) {
        int inner = levels - 1;
        return objects ? "{\"a\":".repeat(inner) + "{}" + "}".repeat(inner)
                : "{\"a\":" + "[".repeat(inner) + "]".repeat(inner) + "}";
    }

    /** {"a":[{"a":[...]}]}: container number d (0 = the record) is an object when d is even, {@code levels} in all. */
    private static String alternating(int levels) {
        StringBuilder open = new StringBuilder();
        StringBuilder close = new StringBuilder();
        for (int d = 0; d < levels; d++) {
            boolean object = d % 2 == 0;
            boolean last = d == levels - 1;
            open.append(object ? (last ? "{" : "{\"a\":") : (last ? "[" : "[1,"));
            close.insert(0, object ? "}" : "]");
        }
        return open.append(close).toString();
    }

    /** {@code json} with the closing bracket of the container at {@code depth} (0 = the record) swapped for the other kind. */
    private static String swapClosing(String json, int depth) {
        int at = json.length() - 1 - depth;
        char swapped = json.charAt(at) == '}' ? ']' : '}';
        return json.substring(0, at) + swapped + json.substring(at + 1);
    }

    @Test
    void every_case_gets_its_verdict_and_strict_jackson_agrees() {
        allCases();
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            String reason = JsonSyntax.objectProblem(c.bytes, 0, c.bytes.length);
            Verdict ours = Verdict.of(reason);
            Verdict expected = c.expected == Verdict.NOT_UTF8 ? NOT_VALID_JSON : c.expected;
            if (ours != expected) {
                failures.add(c.name + ": got " + ours + " (" + reason + "), expected " + expected);
            }
            if (reason != null && !REASON_FORMAT.matcher(reason).matches()) {
                failures.add(c.name + ": reason does not have the fixed form: " + reason);
            }
            Verdict jackson = JacksonReference.strict(c.bytes, 0, c.bytes.length);
            if (!jackson.agreesWith(ours)) {
                failures.add(c.name + ": strict Jackson says " + jackson + ", the validator " + ours);
            }
            if (c.expected == Verdict.NOT_UTF8 && jackson != Verdict.NOT_UTF8) {
                failures.add(c.name + ": meant to be ill-formed UTF-8, but the JDK's decoder takes it");
            }
        }
        assertThat(failures).as("cases that failed, of " + cases.size()).isEmpty();
        assertThat(cases).hasSizeGreaterThan(1000);
    }

    /**
     * Where the validator decides otherwise than Jackson did as the export used it (byte parser, default limits), on
     * purpose. Each is asserted both ways, so the list stays true.
     */
    @Test
    void deliberate_differences_from_jackson_as_used_before() {
        record Difference(String name, byte[] bytes, Verdict before, Verdict now, String why) {
        }
        String utf8 = "well-formed UTF-8 is what JSON text must be (RFC 8259 section 8.1) and what the output promises; "
                + "Jackson's byte parser checks only that lead and continuation bytes alternate";
        String limit = "valid JSON: the RFC sets no limit; Jackson's default processing limit is a choice of its "
                + "readers, and a record is already bounded by the reader's maximum record size";
        List<Difference> differences = List.of(
                new Difference("overlong C0 80", bytes("{\"s\":\"", 0xC0, 0x80, "\"}"), OBJECT, NOT_VALID_JSON, utf8),
                new Difference("overlong E0 80 80", bytes("{\"s\":\"", 0xE0, 0x80, 0x80, "\"}"), OBJECT, NOT_VALID_JSON, utf8),
                new Difference("overlong F0 80 80 80", bytes("{\"s\":\"", 0xF0, 0x80, 0x80, 0x80, "\"}"), OBJECT, NOT_VALID_JSON, utf8),
                new Difference("surrogate ED A0 80", bytes("{\"s\":\"", 0xED, 0xA0, 0x80, "\"}"), OBJECT, NOT_VALID_JSON, utf8),
                new Difference("surrogate in a name", bytes("{\"", 0xED, 0xB0, 0x80, "\":1}"), OBJECT, NOT_VALID_JSON, utf8),
                new Difference("above U+10FFFF", bytes("{\"s\":\"", 0xF4, 0x90, 0x80, 0x80, "\"}"), OBJECT, NOT_VALID_JSON, utf8),
                new Difference("lead F5 in a name", bytes("{\"", 0xF5, 0x80, 0x80, 0x80, "\":1}"), OBJECT, NOT_VALID_JSON, utf8),
                new Difference("1001-digit integer", bytes("{\"n\":", "7".repeat(1001), "}"), NOT_VALID_JSON, OBJECT, limit),
                new Difference("2000-digit fraction", bytes("{\"n\":0.", "5".repeat(2000), "}"), NOT_VALID_JSON, OBJECT, limit),
                new Difference("50001-character name", bytes("{\"", "n".repeat(50_001), "\":1}"), NOT_VALID_JSON, OBJECT, limit));
        for (Difference d : differences) {
            assertThat(JacksonReference.asUsedBefore(d.bytes, 0, d.bytes.length)).as(d.name + " before").isEqualTo(d.before);
            assertThat(Verdict.of(JsonSyntax.objectProblem(d.bytes, 0, d.bytes.length))).as(d.name + " now").isEqualTo(d.now);
            assertThat(d.why).isNotBlank();
        }
    }

    @Test
    void reasons_name_the_problem_and_its_column() {
        assertThat(problem("{\"a\":01}")).isEqualTo("not valid JSON: Invalid numeric value at column 7");
        assertThat(problem("{\"a\":1.}")).isEqualTo("not valid JSON: Invalid numeric value at column 8");
        assertThat(problem("{\"a\":-")).isEqualTo("not valid JSON: Unexpected end-of-input at column 7");
        assertThat(problem("{\"a\":tru}")).isEqualTo("not valid JSON: Unrecognized token at column 6");
        assertThat(problem("{\"a\":secret}")).isEqualTo("not valid JSON: Unrecognized token at column 6");
        assertThat(problem("{\"a\":1,}")).isEqualTo("not valid JSON: Unexpected character at column 8");
        assertThat(problem("{\"a\":\"x\\qy\"}")).isEqualTo("not valid JSON: Unrecognized character escape at column 8");
        assertThat(problem("{\"a\":\"x\ty\"}")).isEqualTo("not valid JSON: Illegal unquoted character at column 8");
        assertThat(problem("{\"a\":\"x\u0000y\"}")).isEqualTo("not valid JSON: NUL byte at column 8");
        assertThat(problem("{\"a\":1\u0000}")).isEqualTo("not valid JSON: NUL byte at column 7");
        assertThat(problem("{\"a\":1\f}")).isEqualTo("not valid JSON: Illegal character at column 7");
        assertThat(problem("{\"é\":x}")).as("columns count bytes, not characters")
                .isEqualTo("not valid JSON: Unrecognized token at column 7");
        byte[] cut = bytes("{\"a\":\"x", 0xE6, 0x9D, "\"}");
        assertThat(JsonSyntax.objectProblem(cut, 0, cut.length)).isEqualTo("not valid JSON: Invalid UTF-8 at column 8");
        String deep = nested(JsonSyntax.MAX_DEPTH + 1, false);
        assertThat(problem(deep)).isEqualTo("not valid JSON: Nesting deeper than 1000 levels at column 1005");
    }

    @Test
    void reads_only_its_slice_of_the_array() {
        byte[] data = bytes("\"{\"a\":[1,2]}{\"b\":\"c");
        // the slice {"a":[1,2]} is fine whatever stands before and after it
        assertThat(JsonSyntax.objectProblem(data, 1, 11)).isNull();
        // the same slice one byte shorter is cut, although the array goes on
        assertThat(JsonSyntax.objectProblem(data, 1, 10)).isEqualTo("not valid JSON: Unexpected end-of-input at column 11");
        assertThat(JsonSyntax.objectProblem(data, 12, 0)).isEqualTo(JsonSyntax.NOT_AN_OBJECT);
        // a string cut by the slice's end, at every length: the same answer with or without bytes after the slice
        byte[] record = bytes("{\"s\":\"", "東京タワーабвгд東京タワーабвгд東京タワー", 0x80);
        for (int cut = 6; cut < record.length; cut++) {
            String inPlace = JsonSyntax.objectProblem(record, 0, cut);
            assertThat(JsonSyntax.objectProblem(Arrays.copyOf(record, cut), 0, cut)).as("cut at " + cut).isEqualTo(inPlace);
            assertThat(inPlace).as("cut at " + cut).matches("not valid JSON: (Unexpected end-of-input at column " + (cut + 1)
                    + "|Invalid UTF-8 at column (" + (cut - 2) + "|" + (cut - 1) + "|" + cut + "))"); // a sequence cut short
        }
        byte[] utf8 = bytes("{\"s\":\"", 0xE6, 0x9D, 0xB1, "\"}");
        assertThat(JsonSyntax.objectProblem(utf8, 0, 8)).as("a sequence cut by the slice's end")
                .isEqualTo("not valid JSON: Invalid UTF-8 at column 7");
    }

    @Test
    void allocates_nothing_for_valid_records() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[] record = bytes("{\"id\":1,\"name\":\"東京 café 😀\",\"tags\":[\"a\",\"b\\n\\u00e9\"],\"n\":-1.5e10,"
                + "\"ok\":true,\"none\":null,\"deep\":" + nested(60, false) + "}");
        assertThat(JsonSyntax.objectProblem(record, 0, record.length)).isNull();
        for (int i = 0; i < 20_000; i++) {
            JsonSyntax.objectProblem(record, 0, record.length); // warm up: compiled code allocates less than the interpreter may
        }
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        int accepted = 0;
        for (int i = 0; i < 10_000; i++) {
            if (JsonSyntax.objectProblem(record, 0, record.length) == null) {
                accepted++;
            }
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertThat(accepted).isEqualTo(10_000);
        assertThat(allocated).as("bytes allocated by 10,000 validations").isLessThan(10_000);
    }

    private static String problem(String record) {
        byte[] data = record.getBytes(StandardCharsets.UTF_8);
        return JsonSyntax.objectProblem(data, 0, data.length);
    }
}
