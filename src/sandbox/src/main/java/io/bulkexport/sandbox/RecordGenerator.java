package io.bulkexport.sandbox;

import java.nio.charset.StandardCharsets;

/**
 * Writes employee-like JSON records, deterministic in their seed and padded to about a given UTF-8
 * size, with non-ASCII text like real profile data. Fast and allocation-free: it appends to a caller's
 * {@link StringBuilder}. Not thread-safe; use one instance per thread.
 */
public final class RecordGenerator {

    // Every string below is JSON-safe as is (no quotes, backslashes or control characters).
    private static final String[] FIRST_NAMES = {
        "Zoë", "José", "Łukasz", "Søren", "Ana María", "François", "Chloé", "Björn", "Mateus", "Aiko",
        "Priya", "Oluwaseun", "Dmitrij", "Siobhán", "Noah", "Emma", "Liam", "Olivia", "Hiroshi", "Nguyễn Văn",
        "Ines", "Mehmet", "Ilse", "Tomás", "Yasmin", "Kai", "Renée", "Jürgen", "Małgorzata", "Wei"};
    private static final String[] LAST_NAMES = {
        "Kowalski", "García", "Müller", "Øvergaard", "Nakamura", "佐藤", "Dubois", "Okafor", "Smith", "Johansson",
        "Ferreira", "Novák", "Rossi", "O'Neill", "Brontë", "Yılmaz", "Kim", "Svensson", "Ivanova", "Chen",
        "Dąbrowski", "Fernández", "Papadopoulos", "Nowak", "Haugen", "Álvarez", "Schäfer", "Lefèvre", "Patel", "Tanaka"};
    private static final String[] TITLES = {
        "Software Engineer", "Senior Data Engineer", "Product Manager", "Head of Sales", "Data Scientist",
        "Engineering Manager", "UX Designer", "Marketing Specialist", "Account Executive", "DevOps Engineer",
        "Chief Technology Officer", "Recruiter", "Financial Analyst", "Customer Success Manager",
        "Research Scientist", "Backend Developer", "Frontend Developer", "Operations Lead", "Legal Counsel",
        "Business Analyst"};
    private static final String[] COMPANIES = {
        "Acme Analytics", "Globex", "Initech", "Umbrella Labs", "Société Générale Numérique", "Nordlicht GmbH",
        "株式会社サンプル", "Vandelay Industries", "Hooli", "Stark Logistics", "Wayne Fintech", "Pied Piper",
        "Łącznik Sp. z o.o.", "Café Québec Inc.", "Oceanic Airlines", "Tyrell Biotech", "Cyberdyne Systems",
        "Massive Dynamic", "Soylent Foods", "Aperture Science"};
    private static final String[] LOCATIONS = {
        "Łódź, Poland", "São Paulo, Brazil", "東京, Japan", "München, Germany", "Zürich, Switzerland",
        "Montréal, Canada", "Kraków, Poland", "Reykjavík, Iceland", "İstanbul, Türkiye", "New York, United States",
        "London, United Kingdom", "Bogotá, Colombia", "Malmö, Sweden", "Gdańsk, Poland", "Lagos, Nigeria",
        "Bengaluru, India", "Ciudad de México, Mexico", "Αθήνα, Greece", "Praha, Czechia", "Seoul, South Korea"};
    private static final String[] SKILLS = {
        "java", "python", "sql", "kotlin", "go", "rust", "typescript", "react", "kubernetes", "aws", "gcp",
        "terraform", "spark", "kafka", "machine learning", "statistics", "negotiation", "leadership",
        "public speaking", "excel", "salesforce", "figma", "product strategy", "data modeling", "recruiting",
        "accounting", "contract law", "customer support", "seo", "copywriting"};
    private static final String[] WORDS = {
        "experienced", "professional", "with", "a", "track", "record", "of", "building", "scalable", "systems",
        "and", "leading", "teams", "across", "Europe", "Asia", "the", "Americas", "passionate", "about", "data",
        "quality", "customer", "outcomes", "naïve", "café", "résumé", "façade", "coöperation", "jalapeño",
        "Zürich", "Łódź", "São", "Paulo", "東京", "データ", "エンジニア", "Ελληνικά", "straße", "Ærø", "delivered",
        "projects", "for", "clients", "in", "finance", "retail", "healthcare", "logistics", "mentoring",
        "engineers", "shipping", "products", "on", "time", "open", "source", "contributor", "speaker", "at",
        "conferences", "fluent", "English", "Español", "Français", "Deutsch", "Polski", "日本語"};
    private static final int[] WORD_BYTES = new int[WORDS.length];
    private static final String LAST_UPDATED_KEY = "\",\"last_updated\":\"";
    private static final int TAIL_BYTES = LAST_UPDATED_KEY.length() + "2025-01-01T00:00:00Z\"}".length();

    static {
        for (int i = 0; i < WORDS.length; i++) {
            WORD_BYTES[i] = WORDS[i].getBytes(StandardCharsets.UTF_8).length + 1;
        }
    }

    private final int recordBytes;
    private long state;

    /** Creates a generator padding each record to about {@code recordBytes} UTF-8 bytes. */
    public RecordGenerator(int recordBytes) {
        this.recordBytes = recordBytes;
    }

    /** The seed of one record, mixed from the request's seed and the record's file and line. */
    public static long recordSeed(long requestSeed, int fileIndex, int lineIndex) {
        return mix(mix(requestSeed + fileIndex * 0x9E3779B97F4A7C15L) + lineIndex);
    }

    /** Appends a line that starts like a record but is not valid JSON, e.g. {@code {"id": 17, "broken}. */
    public static void appendMalformed(StringBuilder out, long id) {
        out.append("{\"id\": ").append(id).append(", \"broken");
    }

    /** Appends one JSON object (no newline) with this id, its other fields derived from {@code seed}. */
    public void appendRecord(StringBuilder out, long id, long seed) {
        state = seed;
        int start = out.length();
        String first = pick(FIRST_NAMES);
        String last = pick(LAST_NAMES);
        String title = pick(TITLES);
        String company = pick(COMPANIES);
        String location = pick(LOCATIONS);
        out.append("{\"id\":").append(id);
        field(out, "full_name", first).append(' ').append(last).append('"');
        field(out, "first_name", first).append('"');
        field(out, "last_name", last).append('"');
        field(out, "title", title).append('"');
        field(out, "headline", title).append(" at ").append(company).append(" | ")
                .append(pick(SKILLS)).append(", ").append(pick(SKILLS)).append('"');
        field(out, "location", location).append('"');
        field(out, "company", company).append('"');
        appendSkills(out);
        appendExperience(out, title, company, location);
        out.append(",\"description\":\"");
        appendPadding(out, start);
        out.append(LAST_UPDATED_KEY).append("2025-");
        twoDigits(out, between(1, 12)).append('-');
        twoDigits(out, between(1, 28)).append('T');
        twoDigits(out, between(0, 23)).append(':');
        twoDigits(out, between(0, 59)).append(':');
        twoDigits(out, between(0, 59)).append("Z\"}");
    }

    private void appendSkills(StringBuilder out) {
        out.append(",\"skills\":[");
        int count = between(3, 8);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append('"').append(pick(SKILLS)).append('"');
        }
        out.append(']');
    }

    private void appendExperience(StringBuilder out, String title, String company, String location) {
        out.append(",\"experience\":[");
        int jobs = between(1, 4);
        int toYear = 2025;
        for (int job = 0; job < jobs; job++) {
            int fromYear = toYear - between(1, 6);
            out.append(job == 0 ? "{\"title\":\"" : ",{\"title\":\"")
                    .append(job == 0 ? title : pick(TITLES)).append('"');
            field(out, "company", job == 0 ? company : pick(COMPANIES)).append('"');
            field(out, "location", job == 0 ? location : pick(LOCATIONS)).append('"');
            out.append(",\"date_from\":\"").append(fromYear).append('-');
            twoDigits(out, between(1, 12)).append('"');
            if (job == 0) {
                out.append(",\"date_to\":null}");
            } else {
                out.append(",\"date_to\":\"").append(toYear).append('-');
                twoDigits(out, between(1, 12)).append("\"}");
            }
            toYear = fromYear;
        }
        out.append(']');
    }

    /** Appends description words until the record reaches about {@link #recordBytes} UTF-8 bytes. */
    private void appendPadding(StringBuilder out, int recordStart) {
        int budget = recordBytes - utf8Length(out, recordStart) - TAIL_BYTES;
        boolean firstWord = true;
        while (true) {
            int word = (int) ((next() >>> 1) % WORDS.length);
            int cost = WORD_BYTES[word] - (firstWord ? 1 : 0);
            if (cost > budget) {
                return;
            }
            if (!firstWord) {
                out.append(' ');
            }
            out.append(WORDS[word]);
            budget -= cost;
            firstWord = false;
        }
    }

    private static StringBuilder field(StringBuilder out, String name, String value) {
        return out.append(",\"").append(name).append("\":\"").append(value);
    }

    private static StringBuilder twoDigits(StringBuilder out, int value) {
        return out.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }

    private static int utf8Length(CharSequence text, int from) {
        int bytes = 0;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800 || Character.isSurrogate(c)) {
                bytes += 2; // a surrogate pair is 4 bytes: 2 per half
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private String pick(String[] values) {
        return values[(int) ((next() >>> 1) % values.length)];
    }

    private int between(int min, int max) {
        return min + (int) ((next() >>> 1) % (max - min + 1));
    }

    private long next() {
        state += 0x9E3779B97F4A7C15L;
        return mix(state);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
