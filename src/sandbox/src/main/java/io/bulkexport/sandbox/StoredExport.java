package io.bulkexport.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Export content read from a directory: its gzip files (*.gz), sorted by name, served byte for byte.
 * Expected ids are found by reading the files once, on first request.
 */
public final class StoredExport implements ExportContent {

    private final List<Path> files;
    private final List<String> names;
    private List<Long> recordIds;
    private long malformedLines;

    private StoredExport(List<Path> files, String namePrefix) {
        this.files = List.copyOf(files);
        this.names = files.stream().map(file -> namePrefix + file.getFileName()).toList();
    }

    /** Lists the gzip files (*.gz) of {@code dir}; each is named {@code namePrefix + its file name}. */
    public static StoredExport scan(Path dir, String namePrefix) {
        try (Stream<Path> listing = Files.list(dir)) {
            List<Path> files = listing
                    .filter(path -> path.getFileName().toString().endsWith(".gz") && Files.isRegularFile(path))
                    .sorted()
                    .toList();
            return new StoredExport(files, namePrefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    @Override
    public List<String> fileNames() {
        return names;
    }

    @Override
    public long contentLength(int index) throws IOException {
        return Files.size(files.get(index));
    }

    @Override
    public void writeFile(int index, OutputStream out) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(files.get(index))) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
            }
        }
    }

    @Override
    public synchronized List<Long> recordIds() throws IOException {
        readIdsOnce();
        return recordIds;
    }

    @Override
    public synchronized long malformedLineCount() throws IOException {
        readIdsOnce();
        return malformedLines;
    }

    /** Reads every line: an object with an integer "id" is a record, any other non-blank line is malformed. */
    private void readIdsOnce() throws IOException {
        if (recordIds != null) {
            return;
        }
        List<Long> ids = new ArrayList<>();
        long malformed = 0;
        for (Path file : files) {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                    new GZIPInputStream(Files.newInputStream(file), 64 * 1024), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    Long id = recordId(line);
                    if (id == null) {
                        malformed++;
                    } else {
                        ids.add(id);
                    }
                }
            }
        }
        ids.sort(null);
        recordIds = List.copyOf(ids);
        malformedLines = malformed;
    }

    private static Long recordId(String line) {
        try {
            JsonNode id = Json.MAPPER.readTree(line).get("id");
            return id != null && id.canConvertToLong() && id.isIntegralNumber() ? id.longValue() : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
