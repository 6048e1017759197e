package io.bulkexport.records;

import io.bulkexport.records.JacksonReference.Verdict;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generates valid JSON objects from a seeded random source, mutates most of them (byte changes, insertions, deletions,
 * truncation, ill-formed UTF-8), and checks that {@link JsonSyntax} and strict Jackson ({@link JacksonReference#strict})
 * give the same verdict on every one, and that where the validator and Jackson as the export used it before
 * ({@link JacksonReference#asUsedBefore}) disagree, it is for one of the deliberate differences.
 *
 * <p>The seed is printed (surefire keeps it in {@code target/surefire-reports/*-output.txt}) and named in every
 * failure; repeat a run with {@code -Djsonsyntax.fuzz.seed=N}, and change its size with
 * {@code -Djsonsyntax.fuzz.cases=N}.
 */
class JsonSyntaxFuzzTest {

    private static final int DEFAULT_CASES = 60_000;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Test
    void agrees_with_jackson_on_generated_and_mutated_records() {
        long seed = Long.getLong("jsonsyntax.fuzz.seed", System.nanoTime());
        int cases = Integer.getInteger("jsonsyntax.fuzz.cases", DEFAULT_CASES);
        String rerun = " (seed " + seed + ": rerun with -Djsonsyntax.fuzz.seed=" + seed + ")";
        System.out.println("JsonSyntaxFuzzTest: " + cases + " cases" + rerun);
        Random random = new Random(seed);
        Generator generator = new Generator(random);

        Map<Verdict, Integer> verdicts = new EnumMap<>(Verdict.class);
        Map<String, Integer> differencesFromBefore = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        int unmutated = 0;
        long started = System.nanoTime();
        long startedCpu = THREADS.getCurrentThreadCpuTime();
        for (int n = 0; n < cases; n++) {
            byte[] record = generator.record();
            boolean mutate = random.nextInt(100) < 85;
            if (mutate) {
                record = generator.mutate(record);
            } else {
                unmutated++;
            }
            // the record sits in a larger array between junk that must not be read
            int before = random.nextInt(4);
            int after = random.nextInt(4);
            byte[] data = new byte[before + record.length + after];
            for (int j = 0; j < data.length; j++) {
                data[j] = Generator.JUNK[random.nextInt(Generator.JUNK.length)];
            }
            System.arraycopy(record, 0, data, before, record.length);

            String reason = JsonSyntax.objectProblem(data, before, record.length);
            Verdict ours = Verdict.of(reason);
            Verdict strict = JacksonReference.strict(data, before, record.length);
            Verdict used = JacksonReference.asUsedBefore(data, before, record.length);
            verdicts.merge(strict, 1, Integer::sum);
            String what = null;
            if (!strict.agreesWith(ours)) {
                what = "validator " + ours + " (" + reason + "), strict Jackson " + strict;
            } else if (!mutate && generator.levels <= JsonSyntax.MAX_DEPTH && ours != Verdict.OBJECT) {
                what = "a generated valid record was rejected: " + reason;
            } else if (reason != null && !JsonSyntaxTest.REASON_FORMAT.matcher(reason).matches()) {
                what = "reason out of form: " + reason;
            } else if (used.accepted() != ours.accepted()) {
                String why = deliberateDifference(record, used, strict);
                if (why == null) {
                    what = "validator " + ours + " (" + reason + "), Jackson as used before " + used;
                } else {
                    differencesFromBefore.merge(why, 1, Integer::sum);
                }
            }
            if (what != null && failures.size() < 20) {
                failures.add("case " + n + ": " + what + "\n    record " + describe(record));
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double cpuSeconds = (THREADS.getCurrentThreadCpuTime() - startedCpu) / 1e9;
        System.out.printf("JsonSyntaxFuzzTest: %d cases (%d unmutated) in %.1f s (%.1f s CPU); strict Jackson's verdicts %s; "
                + "deliberate differences from Jackson as used before %s%n", cases, unmutated, seconds, cpuSeconds, verdicts,
                differencesFromBefore);

        assertThat(failures).as("disagreements" + rerun).isEmpty();
        // the mix must stay worth running: plenty of each kind of answer
        if (cases >= DEFAULT_CASES) {
            assertThat(verdicts.getOrDefault(Verdict.OBJECT, 0)).as("accepted" + rerun).isGreaterThan(cases / 10);
            assertThat(verdicts.getOrDefault(Verdict.NOT_VALID_JSON, 0)).as("invalid" + rerun).isGreaterThan(cases / 5);
            assertThat(verdicts.getOrDefault(Verdict.NOT_UTF8, 0)).as("not UTF-8" + rerun).isGreaterThan(cases / 50);
            assertThat(verdicts.getOrDefault(Verdict.TRAILING_DATA, 0)).as("trailing" + rerun).isGreaterThan(cases / 200);
            assertThat(verdicts.getOrDefault(Verdict.NOT_AN_OBJECT, 0)).as("not an object" + rerun).isGreaterThan(cases / 200);
        }
    }

    /**
     * Why the validator and Jackson as the export used it may disagree on {@code record}, or {@code null} if that is
     * no deliberate difference (see {@link JsonSyntaxTest#deliberate_differences_from_jackson_as_used_before()}).
     */
    private static String deliberateDifference(byte[] record, Verdict used, Verdict strict) {
        if (used.accepted() && strict == Verdict.NOT_UTF8) {
            return "Jackson took ill-formed UTF-8";
        }
        if (!used.accepted() && strict.accepted() && longestNumberLikeRun(record) > 1000) {
            return "Jackson refused a number longer than 1000 characters";
        }
        return null;
    }

    private static int longestNumberLikeRun(byte[] record) {
        int longest = 0;
        int run = 0;
        for (byte b : record) {
            run = (b >= '0' && b <= '9') || b == '-' || b == '+' || b == '.' || b == 'e' || b == 'E' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        return longest;
    }

    private static String describe(byte[] record) {
        byte[] head = Arrays.copyOf(record, Math.min(record.length, 300));
        return record.length + " bytes: " + new String(head, StandardCharsets.ISO_8859_1)
                .replaceAll("[^\\x20-\\x7e]", "?") + "\n    hex " + HexFormat.of().formatHex(head);
    }

    /** Random valid JSON objects, and random damage to them. */
    static final class Generator {

        /** Bytes with a meaning somewhere in JSON or UTF-8: more likely than others to make a case interesting. */
        static final byte[] INTERESTING = toBytes(new int[] {'{', '}', '[', ']', '"', '\\', ',', ':', '0', '1', '9', '-',
                '+', '.', 'e', 'E', 't', 'f', 'n', 'u', 'l', 'a', ' ', '\t', '\n', '\r', '\f', '/', 0x00, 0x01, 0x1F,
                0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5,
                0xF8, 0xFE, 0xFF});
        static final byte[] JUNK = toBytes(new int[] {'{', '}', '"', '\\', '1', ' ', 0x00, 0x80, 0xC3, 0xFF});
        private static final byte[][] ILL_FORMED_UTF8 = {
                {(byte) 0xC0, (byte) 0x80}, {(byte) 0xC1, (byte) 0xBF}, {(byte) 0xE0, (byte) 0x80, (byte) 0x80},
                {(byte) 0xE0, (byte) 0x9F, (byte) 0xBF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xED, (byte) 0xBF, (byte) 0xBF}, {(byte) 0xF0, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF},
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80},
                {(byte) 0xC3}, {(byte) 0xE6, (byte) 0x9D}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}, {(byte) 0x80},
                {(byte) 0xBF, (byte) 0xBF}, {(byte) 0xFF}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
        };
        private static final String[] WHITESPACE = {"", "", "", " ", "  ", "\t", "\n", "\r\n", " \t "};
        private static final String[] ESCAPES = {"\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"};
        private static final int[] CODE_POINTS = {0x7F, 0x80, 0xE9, 0x7FF, 0x800, 0x2028, 0x6771, 0xD7FF, 0xE000, 0xFEFF,
                0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};

        private final Random random;
        /** Most containers open at once in the last record made, its own object included. */
        int levels;
        /** Whether the strings of the record being made are ASCII (half of them: the mutations of others mostly break UTF-8). */
        private boolean ascii;

        Generator(Random random) {
            this.random = random;
        }

        /**
         * A valid JSON object, whitespace around it now and then; valid JSON but for its depth when it is a deep
         * chain of more than {@link JsonSyntax#MAX_DEPTH} levels ({@link #levels} tells).
         */
        byte[] record() {
            StringBuilder json = new StringBuilder();
            ascii = random.nextBoolean();
            space(json);
            if (random.nextInt(20) == 0) {
                int pick = random.nextInt(10);
                levels = pick < 5 ? 60 + random.nextInt(80)
                        : pick < 9 ? 1 + random.nextInt(JsonSyntax.MAX_DEPTH) : JsonSyntax.MAX_DEPTH - 10 + random.nextInt(20);
                chain(json, levels);
            } else {
                levels = 0;
                container(json, true, 1 + random.nextInt(5), 1);
            }
            space(json);
            return json.toString().getBytes(StandardCharsets.UTF_8);
        }

        /** {@code count} containers, each the only value of the one around it; the outermost an object. */
        private void chain(StringBuilder json, int count) {
            StringBuilder closing = new StringBuilder();
            for (int level = 1; level <= count; level++) {
                boolean object = level == 1 || random.nextBoolean();
                boolean innermost = level == count;
                json.append(object ? "{" : "[");
                if (!innermost) {
                    json.append(object ? "\"k\":" : random.nextBoolean() ? "" : "0,");
                }
                closing.append(object ? '}' : ']');
            }
            json.append(closing.reverse());
        }

        /** One to three random changes. */
        byte[] mutate(byte[] record) {
            byte[] bytes = record;
            for (int m = 0, count = 1 + random.nextInt(3); m < count; m++) {
                bytes = mutateOnce(bytes);
            }
            return bytes;
        }

        private byte[] mutateOnce(byte[] b) {
            int at = random.nextInt(b.length + 1); // may be the end
            switch (random.nextInt(11)) {
                case 0, 1: // replace a byte
                    if (at < b.length) {
                        b = b.clone();
                        b[at] = randomByte();
                    }
                    return b;
                case 9: // flip a bit
                    if (at < b.length) {
                        b = b.clone();
                        b[at] ^= (byte) (1 << random.nextInt(8));
                    }
                    return b;
                case 2, 3: // insert a byte
                    return splice(b, at, 0, new byte[] {randomByte()});
                case 4: // delete a few bytes
                    return splice(b, at, Math.min(b.length - at, 1 + random.nextInt(4)), new byte[0]);
                case 5, 6: // truncate
                    return Arrays.copyOf(b, at);
                case 7: { // repeat a slice somewhere else
                    int from = random.nextInt(b.length + 1);
                    int length = Math.min(b.length - from, random.nextInt(12));
                    return splice(b, at, 0, Arrays.copyOfRange(b, from, from + length));
                }
                case 8: // ill-formed UTF-8, mostly inside a string
                    return splice(b, insideAString(b, at), 0, ILL_FORMED_UTF8[random.nextInt(ILL_FORMED_UTF8.length)]);
                default: { // swap two bytes
                    if (at < b.length) {
                        int other = random.nextInt(b.length);
                        b = b.clone();
                        byte t = b[at];
                        b[at] = b[other];
                        b[other] = t;
                    }
                    return b;
                }
            }
        }

        /** The first position after a '"' at or after {@code at}, or {@code at} if there is none. */
        private static int insideAString(byte[] b, int at) {
            for (int i = at; i < b.length; i++) {
                if (b[i] == '"') {
                    return i + 1;
                }
            }
            return at;
        }

        private byte randomByte() {
            return random.nextInt(4) > 0 ? INTERESTING[random.nextInt(INTERESTING.length)] : (byte) random.nextInt(256);
        }

        private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
            byte[] out = new byte[b.length - remove + insert.length];
            System.arraycopy(b, 0, out, 0, at);
            System.arraycopy(insert, 0, out, at, insert.length);
            System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
            return out;
        }

        private void value(StringBuilder json, int depth, int level) {
            int kind = random.nextInt(depth > 1 ? 10 : 6);
            switch (kind) {
                case 0, 1 -> string(json);
                case 2, 3 -> number(json);
                case 4 -> json.append(random.nextBoolean() ? "true" : random.nextBoolean() ? "false" : "null");
                case 5 -> string(json);
                case 6, 7 -> container(json, true, depth - 1, level + 1);
                default -> container(json, false, depth - 1, level + 1);
            }
        }

        /** An object or array of up to four members or elements. */
        private void container(StringBuilder json, boolean object, int depth, int level) {
            levels = Math.max(levels, level);
            json.append(object ? '{' : '[');
            int count = random.nextInt(5);
            for (int m = 0; m < count; m++) {
                if (m > 0) {
                    json.append(',');
                }
                space(json);
                if (object) {
                    string(json);
                    space(json);
                    json.append(':');
                    space(json);
                }
                value(json, depth, level);
                space(json);
            }
            if (count == 0) {
                space(json);
            }
            json.append(object ? '}' : ']');
        }

        private void space(StringBuilder json) {
            json.append(WHITESPACE[random.nextInt(WHITESPACE.length)]);
        }

        private void string(StringBuilder json) {
            json.append('"');
            for (int c = 0, length = random.nextInt(random.nextInt(20) == 0 ? 200 : 12); c < length; c++) {
                int pick = random.nextInt(ascii ? 14 : 20);
                if (pick < 10) {
                    json.append((char) (0x20 + random.nextInt(0x5F))); // printable ASCII, quote and backslash escaped
                    if (json.charAt(json.length() - 1) == '"' || json.charAt(json.length() - 1) == '\\') {
                        json.insert(json.length() - 1, '\\');
                    }
                } else if (pick < 12) {
                    json.append(ESCAPES[random.nextInt(ESCAPES.length)]);
                } else if (pick < 14) {
                    // any code unit, lone surrogates included: the grammar allows them escaped
                    String hex = random.nextBoolean() ? "0123456789abcdef" : "0123456789ABCDEF";
                    json.append("\\u");
                    for (int shift = 12, unit = random.nextInt(0x10000); shift >= 0; shift -= 4) {
                        json.append(hex.charAt(unit >>> shift & 0xF));
                    }
                } else if (pick < 17) {
                    json.appendCodePoint(CODE_POINTS[random.nextInt(CODE_POINTS.length)]);
                } else {
                    int codePoint = random.nextInt(random.nextInt(4) == 0 ? 0x110000 : random.nextBoolean() ? 0x800 : 0x10000);
                    if (codePoint < 0x20 || (codePoint >= 0xD800 && codePoint <= 0xDFFF)) {
                        codePoint = 0x4E2D;
                    }
                    json.appendCodePoint(codePoint == '"' || codePoint == '\\' ? 'x' : codePoint);
                }
            }
            json.append('"');
        }

        private void number(StringBuilder json) {
            if (random.nextBoolean()) {
                json.append('-');
            }
            if (random.nextInt(4) == 0) {
                json.append('0');
            } else {
                json.append((char) ('1' + random.nextInt(9)));
                digits(json, random.nextInt(200) == 0 ? 990 + random.nextInt(20) : random.nextInt(8));
            }
            if (random.nextInt(3) == 0) {
                json.append('.');
                digits(json, 1 + random.nextInt(6));
            }
            if (random.nextInt(4) == 0) {
                json.append(random.nextBoolean() ? 'e' : 'E');
                int sign = random.nextInt(3);
                if (sign > 0) {
                    json.append(sign == 1 ? '+' : '-');
                }
                digits(json, 1 + random.nextInt(4));
            }
        }

        private void digits(StringBuilder json, int count) {
            for (int d = 0; d < count; d++) {
                json.append((char) ('0' + random.nextInt(10)));
            }
        }

        private static byte[] toBytes(int[] values) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int v : values) {
                out.write(v);
            }
            return out.toByteArray();
        }
    }
}
