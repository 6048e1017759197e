package io.bulkexport.sandbox;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.zip.Deflater;

/**
 * Command line of {@link CoresignalSandbox}: either serve until killed, or ({@code --write-files DIR})
 * write generated gzip files for a later {@code --files-dir} run, then exit.
 */
final class SandboxCommandLine {

    /** Job uuid in the names of files written by {@code --write-files}, so runs produce the same names. */
    static final String WRITTEN_FILES_UUID = "5a4db0c5-0000-4000-8000-00000000b01c";

    static final String USAGE = """
            usage: CoresignalSandbox [--port N] [--files N] [--records N] [--record-bytes N]
                                     [--ready-after-seconds S] [--malformed-every N] [--api-key KEY] [--files-dir DIR]
                                     [--request-log FILE]
                   CoresignalSandbox --write-files DIR [--files N] [--records N] [--record-bytes N] [--malformed-every N]""";

    private static final Set<String> OPTIONS = Set.of("--port", "--files", "--records", "--record-bytes",
            "--ready-after-seconds", "--malformed-every", "--api-key", "--files-dir", "--write-files",
            "--request-log");

    private SandboxCommandLine() {
    }

    static void main(String[] args) throws InterruptedException {
        Map<String, String> options;
        SandboxSettings settings;
        try {
            options = parse(args);
            settings = settings(options);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (options.containsKey("--write-files")) {
            Path dir = Path.of(options.get("--write-files"));
            int written = writeFiles(dir, settings);
            System.out.println("wrote " + written + " files to " + dir);
            return;
        }
        CoresignalSandbox sandbox = new CoresignalSandbox(settings).start();
        long epochNanos = System.currentTimeMillis() * 1_000_000L;
        long startNanos = System.nanoTime();
        Path requestLog = options.containsKey("--request-log") ? Path.of(options.get("--request-log")) : null;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sandbox.stop();
            if (requestLog != null) {
                writeRequestLog(requestLog, sandbox.requestLog(), epochNanos - startNanos);
            }
        }, "sandbox-shutdown"));
        System.out.println("sandbox listening on " + sandbox.baseUrl());
        System.out.flush();
        Thread.currentThread().join(); // serve until the process is killed
    }

    /**
     * Writes settings.filesPerRequest() generated files of settings.recordsPerFile() records into
     * {@code dir}, named part-00000-{@value #WRITTEN_FILES_UUID}-c000.json.gz and so on; returns the count.
     */
    static int writeFiles(Path dir, SandboxSettings settings) {
        GeneratedExport export = GeneratedExport.consecutive(CoresignalSandbox.seedOf(WRITTEN_FILES_UUID), settings,
                Long.MAX_VALUE, index -> CoresignalSandbox.partFileName(index, WRITTEN_FILES_UUID));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        IntStream.range(0, export.fileNames().size()).parallel().forEach(index -> {
            Path target = dir.resolve(export.fileNames().get(index));
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target), 64 * 1024)) {
                export.writeFile(index, out, Deflater.DEFAULT_COMPRESSION);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + target, e);
            }
        });
        return export.fileNames().size();
    }

    /**
     * Writes one line per request, in arrival order: arrival time (epoch milliseconds, from the monotonic clock),
     * endpoint kind ({@code -} when no route matched) and the status answered. For the benchmark, which reads the
     * vendor's view of the client's call rate from it once the sandbox is stopped.
     */
    static void writeRequestLog(Path file, List<LoggedRequest> entries, long nanosToEpoch) {
        List<String> lines = entries.stream()
                .sorted(Comparator.comparingLong(LoggedRequest::arrivalNanos))
                .map(e -> String.format(Locale.ROOT, "%.3f %s %d", (e.arrivalNanos() + nanosToEpoch) / 1e6,
                        e.kind() == null ? "-" : e.kind().name(), e.status()))
                .toList();
        try {
            Files.write(file, lines);
        } catch (IOException e) {
            System.err.println("cannot write the request log " + file + ": " + e.getMessage());
        }
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!OPTIONS.contains(args[i])) {
                throw new IllegalArgumentException("unknown option: " + args[i]);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + args[i]);
            }
            options.put(args[i], args[i + 1]);
        }
        return options;
    }

    static SandboxSettings settings(Map<String, String> options) {
        SandboxSettings settings = SandboxSettings.defaults();
        for (Map.Entry<String, String> option : options.entrySet()) {
            String value = option.getValue();
            settings = switch (option.getKey()) {
                case "--port" -> settings.withPort(number(option));
                case "--files" -> settings.withFilesPerRequest(number(option));
                case "--records" -> settings.withRecordsPerFile(number(option));
                case "--record-bytes" -> settings.withRecordBytes(number(option));
                case "--malformed-every" -> settings.withMalformedEvery(number(option));
                case "--ready-after-seconds" -> settings.withReadyAfter(seconds(option));
                case "--api-key" -> settings.withApiKey(value);
                case "--files-dir" -> settings.withFilesDir(Path.of(value));
                default -> settings; // --write-files and --request-log are not settings
            };
        }
        return settings;
    }

    private static int number(Map.Entry<String, String> option) {
        try {
            return Integer.parseInt(option.getValue());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option.getKey() + " needs a whole number, got " + option.getValue());
        }
    }

    private static Duration seconds(Map.Entry<String, String> option) {
        try {
            return Duration.ofMillis(Math.round(Double.parseDouble(option.getValue()) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option.getKey() + " needs a number of seconds, got " + option.getValue());
        }
    }
}
