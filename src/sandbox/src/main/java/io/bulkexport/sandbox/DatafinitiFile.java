package io.bulkexport.sandbox;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One result file of a Datafiniti download, as the vendor serves it: plain text (not gzipped), either JSON (one
 * object a line) or CSV with a header row. Every Nth line is broken (malformed JSON, or a CSV row with one field
 * too many) when the sandbox settings ask for it.
 */
final class DatafinitiFile {
    private final String name;
    private final boolean csv;
    private final long firstId;
    private final int records;
    private final long seed;
    private final int recordBytes;
    private final int malformedEvery;

    DatafinitiFile(String name, boolean csv, long firstId, int records, long seed, SandboxSettings settings) {
        this.name = name;
        this.csv = csv;
        this.firstId = firstId;
        this.records = records;
        this.seed = seed;
        this.recordBytes = settings.recordBytes();
        this.malformedEvery = settings.malformedEvery();
    }

    String name() {
        return name;
    }

    String contentType() {
        return csv ? "text/csv" : "text/plain";
    }

    void write(OutputStream out) throws IOException {
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
        StringBuilder line = new StringBuilder();
        if (csv) {
            CsvRows.appendLine(line, CsvRows.COLUMNS);
            writer.append(line);
        }
        RecordGenerator generator = new RecordGenerator(recordBytes);
        for (int i = 0; i < records; i++) {
            line.setLength(0);
            appendLine(line, generator, i);
            writer.append(line);
        }
        writer.flush();
    }

    /** The records a client should land from this file: JSON objects, CSV rows as objects of strings. */
    List<JsonNode> expectedRecords() {
        List<JsonNode> expected = new ArrayList<>();
        RecordGenerator generator = new RecordGenerator(recordBytes);
        for (int i = 0; i < records; i++) {
            if (isMalformed(i)) {
                continue;
            }
            if (csv) {
                ObjectNode row = Json.MAPPER.createObjectNode();
                List<String> values = CsvRows.values(firstId + i);
                for (int c = 0; c < values.size(); c++) {
                    row.put(CsvRows.COLUMNS.get(c), values.get(c));
                }
                expected.add(row);
            } else {
                StringBuilder line = new StringBuilder();
                appendLine(line, generator, i);
                try {
                    expected.add(Json.MAPPER.readTree(line.toString()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return expected;
    }

    long malformedCount() {
        return malformedEvery == 0 ? 0 : records / malformedEvery;
    }

    private void appendLine(StringBuilder line, RecordGenerator generator, int i) {
        long id = firstId + i;
        if (csv) {
            List<String> values = new ArrayList<>(CsvRows.values(id));
            if (isMalformed(i)) {
                values.add("one field too many");
            }
            CsvRows.appendLine(line, values);
        } else if (isMalformed(i)) {
            RecordGenerator.appendMalformed(line, id);
            line.append('\n');
        } else {
            generator.appendRecord(line, id, RecordGenerator.recordSeed(seed, 0, (int) id));
            line.append('\n');
        }
    }

    private boolean isMalformed(int line) {
        return malformedEvery > 0 && (line + 1) % malformedEvery == 0;
    }
}
