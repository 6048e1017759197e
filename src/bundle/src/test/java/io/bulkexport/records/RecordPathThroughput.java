package io.bulkexport.records;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
 *
 * <p>Each stage is timed in wall-clock seconds and in CPU seconds: the CPU time of the thread that runs it (the
 * whole stage, except where reading goes ahead on a second thread), of the whole JVM (JIT and GC threads too), and for
 * the gzip stages the CPU time of the child processes. CPU time is what to compare on a machine that other work
 * shares. The validators run both ways: {@link JsonSyntax} (the export's) and Jackson as the export used it before
 * ({@link JacksonReference#asUsedBefore}), in the same rounds.
 */
public final class RecordPathThroughput {

    private static double lastCommitSeconds;

    private static final int RECORD_TARGET_CHARS = 2000; // about 3.5 KB of UTF-8 with this mix of scripts

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private static final RecordBatch.Check JSON_SYNTAX = JsonSyntax::objectProblem;
    private static final RecordBatch.Check JACKSON_BEFORE =
            (data, offset, length) -> JacksonReference.asUsedBefore(data, offset, length).accepted() ? null : "rejected";

    /** Thread CPU nanoseconds spent inside validation calls by the current stage (where it measures them). */
    private static long validationCpuNanos;

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
            System.out.printf("JVM: %s, max heap %d MiB, %d cores; thread CPU time %s%n", System.getProperty("java.vm.version"),
                    Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors(),
                    THREADS.isCurrentThreadCpuTimeSupported() ? "measured" : "NOT AVAILABLE");

            Path out = work.resolve("records/export.jsonl");
            List<RecordBatch> inMemory = readAll(input);
            // warm up the JIT on both validators and the whole path
            runPipeline(input, out, JSON_SYNTAX);
            runPipeline(input, out, JACKSON_BEFORE);
            List<Stage> stages = List.of(
                    new Stage("java gunzip only", false, () -> gunzipOnly(input)),
                    new Stage("reader (gunzip + split)", false, () -> readOnly(input)),
                    new Stage("validate only, in memory: Jackson", true, () -> validateInMemory(inMemory, JACKSON_BEFORE)),
                    new Stage("validate only, in memory: JsonSyntax", true, () -> validateInMemory(inMemory, JSON_SYNTAX)),
                    new Stage("reader + validator: Jackson", true, () -> readAndValidate(input, JACKSON_BEFORE)),
                    new Stage("reader + validator: JsonSyntax", true, () -> readAndValidate(input, JSON_SYNTAX)),
                    new Stage("reader + validator + writer: Jackson", true, () -> runPipeline(input, out, JACKSON_BEFORE)),
                    new Stage("reader + validator + writer: JsonSyntax", true, () -> runPipeline(input, out, JSON_SYNTAX)),
                    new Stage("same, 2 batches ahead (default): Jackson", false, () -> readingAhead(input, out, JACKSON_BEFORE)),
                    new Stage("same, 2 batches ahead (default): JsonSyntax", false, () -> readingAhead(input, out, JSON_SYNTAX)),
                    new Stage("gzip -dc > out", false, () -> shell(work, "gzip -dc '" + input + "' > '" + work.resolve("gz.out") + "'")),
                    new Stage("gzip -dc > out; sync out", false, () -> shell(work,
                            "gzip -dc '" + input + "' > '" + work.resolve("gz.out") + "' && sync '" + work.resolve("gz.out") + "'")),
                    new Stage("SHA-256 alone (256 KiB chunks)", false, () -> sha256(sizes.decompressed)));
            // Rounds run every stage once, so a burst of load elsewhere on the machine hits all stages alike.
            Measurement[][] measured = new Measurement[stages.size()][runs];
            for (int r = 0; r < runs; r++) {
                for (int s = 0; s < stages.size(); s++) {
                    measured[s][r] = measure(stages.get(s));
                }
            }
            report(stages, measured, sizes);
            System.out.printf("%nlast commit() (flush + fsync + rename): %.2f s%n", lastCommitSeconds);
            Runtime rt = Runtime.getRuntime();
            System.out.printf("heap after runs: %d MiB committed of %d MiB max%n", rt.totalMemory() >> 20, rt.maxMemory() >> 20);
        } finally {
            deleteTree(work);
        }
    }

    private record Stage(String name, boolean timesValidation, ThrowingRunnable body) {
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private record Sizes(long decompressed, long records) {
    }

    /** One run of a stage, in seconds: wall clock, this thread's CPU, the JVM's CPU, child processes' CPU, validation. */
    private record Measurement(double wall, double threadCpu, double processCpu, double childCpu, double validationCpu) {
    }

    private static Measurement measure(Stage stage) throws Exception {
        validationCpuNanos = 0;
        long children = childCpuTicks();
        long process = OS.getProcessCpuTime();
        long thread = THREADS.getCurrentThreadCpuTime();
        long wall = System.nanoTime();
        stage.body.run();
        wall = System.nanoTime() - wall;
        thread = THREADS.getCurrentThreadCpuTime() - thread;
        process = OS.getProcessCpuTime() - process;
        long childTicks = children < 0 ? -1 : childCpuTicks() - children;
        return new Measurement(wall / 1e9, thread / 1e9, process / 1e9, childTicks < 0 ? Double.NaN : childTicks / 100.0,
                stage.timesValidation ? validationCpuNanos / 1e9 : Double.NaN);
    }

    private static void report(List<Stage> stages, Measurement[][] measured, Sizes sizes) {
        double gb = sizes.decompressed / 1e9;
        System.out.printf("%n%-44s %7s %8s %8s %8s %9s   %s%n", "stage (best of rounds; CPU s per GB decompressed)",
                "wall s", "thread", "JVM", "children", "validate", "thread CPU s per GB, every round");
        for (int s = 0; s < stages.size(); s++) {
            Measurement[] runs = measured[s];
            System.out.printf("%-44s %7.2f %8s %8s %8s %9s   %s%n", stages.get(s).name,
                    best(runs, Measurement::wall), perGb(best(runs, Measurement::threadCpu), gb),
                    perGb(best(runs, Measurement::processCpu), gb), perGb(best(runs, Measurement::childCpu), gb),
                    perGb(best(runs, Measurement::validationCpu), gb),
                    Arrays.toString(Arrays.stream(runs).mapToDouble(m -> Math.round(m.threadCpu / gb * 100) / 100.0).toArray()));
        }
        System.out.printf("%nvalidation CPU s per GB, every round (inside the validate calls):%n");
        for (int s = 0; s < stages.size(); s++) {
            if (stages.get(s).timesValidation) {
                System.out.printf("  %-44s %s  = %s MB/s per core at best%n", stages.get(s).name,
                        Arrays.toString(Arrays.stream(measured[s]).mapToDouble(m -> Math.round(m.validationCpu / gb * 100) / 100.0).toArray()),
                        Math.round(sizes.decompressed / 1e6 / best(measured[s], Measurement::validationCpu)));
            }
        }
    }

    private static double best(Measurement[] runs, java.util.function.ToDoubleFunction<Measurement> value) {
        return Arrays.stream(runs).mapToDouble(value).filter(v -> !Double.isNaN(v)).min().orElse(Double.NaN);
    }

    private static String perGb(double seconds, double gb) {
        return Double.isNaN(seconds) ? "-" : String.format("%.2f", seconds / gb);
    }

    /** CPU time of this process's waited-for children (Linux {@code /proc/self/stat} cutime + cstime), or -1. */
    private static long childCpuTicks() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[13]) + Long.parseLong(fields[14]); // fields 16 and 17 of proc(5)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static Sizes measureSizes(Path input) throws IOException {
        long records = 0;
        try (RecordBatchIterator batches = open(input, SAME_THREAD)) {
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

    private static RecordBatchIterator open(Path input, RecordReaders readers) throws IOException {
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
        try (RecordBatchIterator batches = open(input, SAME_THREAD)) {
            while (batches.hasNext()) {
                records += batches.next().size();
            }
        }
        if (records == 0) {
            throw new IllegalStateException("no records");
        }
    }

    private static List<RecordBatch> readAll(Path input) throws IOException {
        List<RecordBatch> batches = new ArrayList<>();
        try (RecordBatchIterator iterator = open(input, SAME_THREAD)) {
            while (iterator.hasNext()) {
                batches.add(iterator.next());
            }
        }
        return batches;
    }

    /** Runs {@code check} over every record of every batch without touching the batches. */
    private static void validateInMemory(List<RecordBatch> batches, RecordBatch.Check check) {
        long rejected = 0;
        for (RecordBatch batch : batches) {
            long started = THREADS.getCurrentThreadCpuTime();
            byte[] data = batch.data();
            for (int i = 0, size = batch.size(); i < size; i++) {
                if (check.problem(data, batch.offset(i), batch.length(i)) != null) {
                    rejected++;
                }
            }
            validationCpuNanos += THREADS.getCurrentThreadCpuTime() - started;
        }
        if (rejected != 0) {
            throw new IllegalStateException(rejected + " records rejected");
        }
    }

    private static void validate(RecordBatch batch, RecordBatch.Check check) {
        long started = THREADS.getCurrentThreadCpuTime();
        batch.quarantineFailing(check);
        validationCpuNanos += THREADS.getCurrentThreadCpuTime() - started;
    }

    private static void readAndValidate(Path input, RecordBatch.Check check) throws IOException {
        long quarantined = 0;
        try (RecordBatchIterator batches = open(input, SAME_THREAD)) {
            while (batches.hasNext()) {
                RecordBatch batch = batches.next();
                validate(batch, check);
                quarantined += batch.quarantined().size();
            }
        }
        if (quarantined != 0) {
            throw new IllegalStateException(quarantined + " records quarantined");
        }
    }

    private static FileResult runPipeline(Path input, Path out, RecordBatch.Check check) throws IOException {
        return runPipeline(input, out, check, SAME_THREAD);
    }

    private static FileResult readingAhead(Path input, Path out, RecordBatch.Check check) throws IOException {
        return runPipeline(input, out, check, new RecordReaders());
    }

    private static FileResult runPipeline(Path input, Path out, RecordBatch.Check check, RecordReaders readers)
            throws IOException {
        try (RecordBatchIterator batches = open(input, readers);
             RecordFileWriter writer = RecordFileWriter.open(out, input.getFileName().toString())) {
            while (batches.hasNext()) {
                RecordBatch batch = batches.next();
                validate(batch, check);
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

    private static void sha256(long bytes) throws Exception {
        byte[] chunk = new byte[256 * 1024];
        new Random(7).nextBytes(chunk);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        for (long done = 0; done < bytes; done += chunk.length) {
            sha256.update(chunk);
        }
        sha256.digest();
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
