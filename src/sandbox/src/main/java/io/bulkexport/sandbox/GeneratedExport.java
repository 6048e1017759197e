package io.bulkexport.sandbox;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import java.util.zip.Deflater;

/**
 * Export content generated on the fly: gzip JSON Lines files of {@link RecordGenerator} records,
 * deterministic in the request's seed, optionally with every Nth line of each file malformed.
 */
public final class GeneratedExport implements ExportContent {

    private final long seed;
    private final int recordBytes;
    private final int malformedEvery;
    private final List<GeneratedFile> files;
    private final List<String> names;

    /** Content of these files, records seeded by {@code seed}; sizes and malformed lines as in settings. */
    public GeneratedExport(long seed, SandboxSettings settings, List<GeneratedFile> files) {
        this.seed = seed;
        this.recordBytes = settings.recordBytes();
        this.malformedEvery = settings.malformedEvery();
        this.files = List.copyOf(files);
        this.names = files.stream().map(GeneratedFile::name).toList();
    }

    /**
     * settings.filesPerRequest() files of settings.recordsPerFile() lines with ids 1, 2, 3..., cut to at
     * most {@code maxLines} lines in all (the last file may be short, later ones dropped).
     */
    public static GeneratedExport consecutive(long seed, SandboxSettings settings, long maxLines,
                                              IntFunction<String> fileName) {
        List<GeneratedFile> files = new ArrayList<>();
        long remaining = maxLines;
        int perFile = settings.recordsPerFile();
        for (int index = 0; index < settings.filesPerRequest() && remaining > 0; index++) {
            int lines = (int) Math.min(perFile, remaining);
            files.add(GeneratedFile.consecutive(fileName.apply(index), (long) index * perFile + 1, lines));
            remaining -= lines;
        }
        return new GeneratedExport(seed, settings, files);
    }

    /** One line per given id, in order, split into files of settings.recordsPerFile() lines. */
    public static GeneratedExport forIds(long seed, SandboxSettings settings, long[] ids, IntFunction<String> fileName) {
        List<GeneratedFile> files = new ArrayList<>();
        int perFile = settings.recordsPerFile();
        for (int from = 0, index = 0; from < ids.length; from += perFile, index++) {
            long[] slice = Arrays.copyOfRange(ids, from, Math.min(ids.length, from + perFile));
            files.add(GeneratedFile.ofIds(fileName.apply(index), slice));
        }
        return new GeneratedExport(seed, settings, files);
    }

    @Override
    public List<String> fileNames() {
        return names;
    }

    @Override
    public long contentLength(int index) {
        return SandboxExchange.UNKNOWN_LENGTH;
    }

    /** Streams the file, compressing at {@link Deflater#BEST_SPEED}. */
    @Override
    public void writeFile(int index, OutputStream out) throws IOException {
        writeFile(index, out, Deflater.BEST_SPEED);
    }

    /** Streams the file, compressing at this {@link Deflater} level. */
    public void writeFile(int index, OutputStream out, int gzipLevel) throws IOException {
        GeneratedFile file = files.get(index);
        RecordGenerator generator = new RecordGenerator(recordBytes);
        StringBuilder line = new StringBuilder(Math.max(256, recordBytes + 512));
        try (GzipLinesWriter writer = new GzipLinesWriter(out, gzipLevel)) {
            for (int i = 0; i < file.lineCount(); i++) {
                line.setLength(0);
                if (isMalformed(i)) {
                    RecordGenerator.appendMalformed(line, file.idAt(i));
                } else {
                    generator.appendRecord(line, file.idAt(i), RecordGenerator.recordSeed(seed, index, i));
                }
                writer.writeLine(line);
            }
        }
    }

    @Override
    public List<Long> recordIds() {
        List<Long> ids = new ArrayList<>();
        for (GeneratedFile file : files) {
            for (int i = 0; i < file.lineCount(); i++) {
                if (!isMalformed(i)) {
                    ids.add(file.idAt(i));
                }
            }
        }
        ids.sort(null);
        return ids;
    }

    @Override
    public long malformedLineCount() {
        long count = 0;
        for (GeneratedFile file : files) {
            count += malformedEvery == 0 ? 0 : file.lineCount() / malformedEvery;
        }
        return count;
    }

    /** Whether line {@code line} (0-based) of a file is malformed: lines N, 2N, ... counting from 1. */
    private boolean isMalformed(int line) {
        return malformedEvery > 0 && (line + 1) % malformedEvery == 0;
    }
}
