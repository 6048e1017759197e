package io.bulkexport.records;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Times the record path (read + validate + write) over a generated gzip JSON Lines export and
 * compares it with {@code gzip -dc file > out}. Not a test: run it as a main class.
 * Arguments: [decompressed megabytes, default 200] [runs per stage, default 3].
 */
public final class RecordPathThroughput {

    private static double lastCommitSeconds;

    private static final int RECORD_TARGET_CHARS = 2000; // about 3.5 KB of UTF-8 with this mix of scripts

    public static void main(String[] args) throws Exception {
        long megabytes = args.length > 0 ? Long.parseLong(args[0]) : 200;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path input = Path.of(System.getProperty("java.io.tmpdir"), "record-path-throughput-" + megabytes + "mb.jsonl.gz");
        Path work = Files.createTempDirectory("record-path-out-");
        try {
            if (!Files.exists(input)) {
                long started = System.nanoTime();
                ExportGenerator.write(input, megabytes * 1_000_000L);
                System.out.printf("generated %s in %.1f s%n", input, (System.nanoTime() - started) / 1e9);
            } else {
                System.out.println("reusing " + input);
            }
            Sizes sizes = measureSizes(input);
            System.out.printf("input: %,d bytes gzip, %,d bytes decompressed (ratio %.1f), %,d records of %,d bytes avg%n",
                    Files.size(input), sizes.decompressed, (double) sizes.decompressed / Files.size(input),
                    sizes.records, sizes.decompressed / Math.max(1, sizes.records));
            System.out.printf("JVM: %s, max heap %d MiB, %d cores%n", System.getProperty("java.vm.version"),
                    Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());

            Path out = work.resolve("records/export.jsonl");
            runPipeline(input, out); // warm up the JIT
            List<Stage> stages = List.of(
                    new Stage("java gunzip only", () -> gunzipOnly(input)),
                    new Stage("reader (gunzip + split)", () -> readOnly(input)),
                    new Stage("reader + validator", () -> readAndValidate(input)),
                    new Stage("reader + validator + writer, 1 thread", () -> runPipeline(input, out)),
                    new Stage("same, reading 2 batches ahead (default)", () -> {
                        readers = new RecordReaders();
                        try {
                            runPipeline(input, out);
                        } finally {
                            readers = SAME_THREAD;
                        }
                    }),
                    new Stage("gzip -dc > out", () -> shell(work, "gzip -dc '" + input + "' > '" + work.resolve("gz.out") + "'")),
                    new Stage("gzip -dc > out; sync out", () -> shell(work,
                            "gzip -dc '" + input + "' > '" + work.resolve("gz.out") + "' && sync '" + work.resolve("gz.out") + "'")));
            // Rounds run every stage once, so a burst of load elsewhere on the machine hits all stages alike.
            double[][] seconds = new double[stages.size()][runs];
            for (int r = 0; r < runs; r++) {
                for (int s = 0; s < stages.size(); s++) {
                    long started = System.nanoTime();
                    stages.get(s).body.run();
                    seconds[s][r] = (System.nanoTime() - started) / 1e9;
                }
            }
            System.out.printf("%n%-40s %8s %8s %10s   (best of %d rounds; every round in s)%n",
                    "stage", "seconds", "MB/s", "µs/record", runs);
            for (int s = 0; s < stages.size(); s++) {
                double best = Arrays.stream(seconds[s]).min().orElseThrow();
                System.out.printf("%-40s %8.2f %8.1f %10.2f   %s%n", stages.get(s).name, best,
                        sizes.decompressed / 1e6 / best, best * 1e6 / sizes.records,
                        Arrays.toString(Arrays.stream(seconds[s]).map(x -> Math.round(x * 100) / 100.0).toArray()));
            }
            System.out.printf("%nlast commit() (flush + fsync + rename): %.2f s%n", lastCommitSeconds);
            double sha = sha256Seconds(sizes.decompressed);
            System.out.printf("SHA-256 alone over %,d bytes (256 KiB chunks): %.2f s = %.0f MB/s, %.2f µs/record%n",
                    sizes.decompressed, sha, sizes.decompressed / 1e6 / sha, sha * 1e6 / sizes.records);
            Runtime rt = Runtime.getRuntime();
            System.out.printf("heap after runs: %d MiB committed of %d MiB max%n", rt.totalMemory() >> 20, rt.maxMemory() >> 20);
        } finally {
            deleteTree(work);
        }
    }

    private record Stage(String name, ThrowingRunnable body) {
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private record Sizes(long decompressed, long records) {
    }

    private static Sizes measureSizes(Path input) throws IOException {
        long records = 0;
        try (RecordBatchIterator batches = open(input)) {
            while (batches.hasNext()) {
                records += batches.next().size();
            }
        }
        long bytes = 0;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(input), 65536)) {
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                bytes += n;
            }
        }
        return new Sizes(bytes, records);
    }

    private static final RecordReaders SAME_THREAD = new RecordReaders(1000, 1 << 20, 16 << 20, 0);
    private static RecordReaders readers = SAME_THREAD;

    private static RecordBatchIterator open(Path input) throws IOException {
        return readers.open(Files.newInputStream(input), "gzip", "jsonl", input.getFileName().toString());
    }

    private static void gunzipOnly(Path input) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(input), 65536)) {
            byte[] buffer = new byte[1 << 20];
            while (in.read(buffer) > 0) {
                // discard
            }
        }
    }

    private static void readOnly(Path input) throws IOException {
        long records = 0;
        try (RecordBatchIterator batches = open(input)) {
            while (batches.hasNext()) {
                records += batches.next().size();
            }
        }
        if (records == 0) {
            throw new IllegalStateException("no records");
        }
    }

    private static void readAndValidate(Path input) throws IOException {
        RecordValidator validator = new RecordValidator();
        long quarantined = 0;
        try (RecordBatchIterator batches = open(input)) {
            while (batches.hasNext()) {
                RecordBatch batch = batches.next();
                validator.validate(batch);
                quarantined += batch.quarantined().size();
            }
        }
        if (quarantined != 0) {
            throw new IllegalStateException(quarantined + " records quarantined");
        }
    }

    private static FileResult runPipeline(Path input, Path out) throws IOException {
        RecordValidator validator = new RecordValidator();
        try (RecordBatchIterator batches = open(input);
             RecordFileWriter writer = RecordFileWriter.open(out, input.getFileName().toString())) {
            while (batches.hasNext()) {
                RecordBatch batch = batches.next();
                validator.validate(batch);
                writer.write(batch);
            }
            long started = System.nanoTime();
            FileResult result = writer.commit();
            lastCommitSeconds = (System.nanoTime() - started) / 1e9;
            return result;
        }
    }

    private static void shell(Path dir, String command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("sh", "-c", command).directory(dir.toFile()).inheritIO().start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(command + " exited with " + process.exitValue());
        }
    }

    private static double sha256Seconds(long bytes) throws Exception {
        byte[] chunk = new byte[256 * 1024];
        new Random(7).nextBytes(chunk);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        for (int warm = 0; warm < 400; warm++) {
            sha256.update(chunk);
        }
        long started = System.nanoTime();
        for (long done = 0; done < bytes; done += chunk.length) {
            sha256.update(chunk);
        }
        sha256.digest();
        return (System.nanoTime() - started) / 1e9;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** Writes a gzip JSON Lines file of vendor-like records, mostly non-ASCII text. */
    static final class ExportGenerator {

        private static final String[] ALPHABETS = {
                "абвгдеёжзийклмнопрстуфхцчшщыэюя",
                "αβγδεζηθικλμνξοπρστυφχψω",
                "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年",
                "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめも",
                "àáâäãåæçèéêëìíîïñòóôöõøùúûüýÿßœ",
                "abcdefghijklmnopqrstuvwxyz",
        };

        private final Random random = new Random(20240601);
        private final List<String[]> vocabularies = new ArrayList<>();

        private ExportGenerator() {
            for (String alphabet : ALPHABETS) {
                String[] words = new String[1000];
                for (int i = 0; i < words.length; i++) {
                    StringBuilder word = new StringBuilder();
                    int length = 2 + random.nextInt(8);
                    for (int c = 0; c < length; c++) {
                        word.append(alphabet.charAt(random.nextInt(alphabet.length())));
                    }
                    words[i] = word.toString();
                }
                vocabularies.add(words);
            }
        }

        static void write(Path file, long decompressedBytes) throws IOException {
            ExportGenerator generator = new ExportGenerator();
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            try (OutputStream out = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(temp), 1 << 20), 1 << 16)) {
                long written = 0;
                for (long id = 1; written < decompressedBytes; id++) {
                    byte[] line = generator.record(id).getBytes(StandardCharsets.UTF_8);
                    out.write(line);
                    out.write('\n');
                    written += line.length + 1;
                }
            }
            Files.move(temp, file);
        }

        private String record(long id) {
            StringBuilder json = new StringBuilder(RECORD_TARGET_CHARS + 200);
            json.append("{\"id\":").append(id)
                    .append(",\"uuid\":\"").append(new java.util.UUID(random.nextLong(), random.nextLong()))
                    .append("\",\"created_at\":\"2024-").append(1 + random.nextInt(12)).append('-')
                    .append(1 + random.nextInt(28)).append("T12:").append(10 + random.nextInt(50)).append(":00Z\"")
                    .append(",\"amount\":").append(random.nextInt(1_000_000) / 100.0)
                    .append(",\"active\":").append(random.nextBoolean())
                    .append(",\"tags\":[");
            for (int t = 0, n = random.nextInt(5); t < n; t++) {
                json.append(t > 0 ? "," : "").append('"').append(words(1)).append('"');
            }
            json.append("],\"customer\":{\"name\":\"").append(words(3))
                    .append("\",\"city\":\"").append(words(2))
                    .append("\",\"note\":\"").append(words(12).replace("\u0439", "\\\"")).append("\"}")
                    .append(",\"lines\":[");
            for (int l = 0; json.length() < RECORD_TARGET_CHARS / 2 - 100; l++) {
                json.append(l > 0 ? "," : "").append("{\"sku\":\"SKU-").append(random.nextInt(100_000))
                        .append("\",\"qty\":").append(1 + random.nextInt(9))
                        .append(",\"title\":\"").append(words(6)).append("\"}");
            }
            json.append("],\"description\":\"");
            while (json.length() < RECORD_TARGET_CHARS - 2) {
                json.append(words(8)).append(random.nextInt(20) == 0 ? "\\n" : " ");
            }
            return json.append("\"}").toString();
        }

        /** Some words from one language, with a skew towards frequent words. */
        private String words(int count) {
            String[] vocabulary = vocabularies.get(random.nextInt(vocabularies.size()));
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < count; w++) {
                double u = random.nextDouble();
                text.append(w > 0 ? " " : "").append(vocabulary[(int) (vocabulary.length * u * u * u)]);
            }
            return text.toString();
        }
    }
}
