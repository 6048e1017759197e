package io.bulkexport.records;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Splits a UTF-8 CSV stream whose first row names the columns into {@link RecordBatch}es of JSON objects, one per
 * row, with the header's names as keys and the row's values as strings. Parsed by commons-csv as the stream
 * arrives (quoted delimiters, embedded newlines); a row that breaks CSV syntax or does not have the header's number
 * of fields is quarantined with the line it starts on, and reading goes on with the next row.
 */
final class CsvRecordReader extends BatchReader {

    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();
    private static final JsonFactory JSON = new JsonFactoryBuilder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .rootValueSeparator((String) null).build();
    /** How far past maxRecordBytes the parser may read before a runaway quoted field ends the file. */
    private static final int RUNAWAY_SLACK = 64 * 1024;

    private final int batchRecords;
    private final int batchBytes;
    private final int maxRecordBytes;
    private final RecordBoundReader reader;
    private final CSVParser parser;
    private final Iterator<CSVRecord> rows;

    private List<String> header;
    private long lastLine;
    private boolean skipRemainder;
    private boolean ended;

    CsvRecordReader(InputStream in, String sourceFile, int batchRecords, int batchBytes, int maxRecordBytes) {
        super(sourceFile);
        this.batchRecords = batchRecords;
        this.batchBytes = batchBytes;
        this.maxRecordBytes = maxRecordBytes;
        this.reader = new RecordBoundReader(utf8(in), (long) maxRecordBytes + RUNAWAY_SLACK);
        try {
            this.parser = FORMAT.parse(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + sourceFile + ": " + e.getMessage(), e);
        }
        this.rows = parser.iterator();
    }

    @Override
    protected String position() {
        return "line " + lastLine;
    }

    @Override
    protected void closeSource() throws IOException {
        parser.close();
    }

    @Override
    protected RecordBatch readBatch() throws IOException {
        Batch batch = new Batch();
        while (batch.size() < batchRecords && batch.bytes() < batchBytes) {
            Row row = nextRow();
            if (row == null) {
                break;
            }
            if (row.problem() != null) {
                batch.quarantine(new QuarantinedRecord(row.line(), row.problem(), row.raw()));
            } else if (header == null) {
                header = columnNames(row.values());
            } else if (row.values().size() != header.size()) {
                batch.quarantine(new QuarantinedRecord(row.line(), "row has " + row.values().size()
                        + " fields, the header has " + header.size(), raw(row.values())));
            } else {
                batch.add(header, row, maxRecordBytes);
            }
        }
        return batch.size() == 0 ? null : batch.toRecordBatch(sourceFile);
    }

    /** The next row, a syntax problem in place of a row, or null at the end. */
    private Row nextRow() throws IOException {
        while (!ended) {
            CSVRecord record;
            try {
                if (!rows.hasNext()) {
                    return null;
                }
                record = rows.next();
            } catch (UncheckedIOException e) {
                return syntaxProblem(e);
            }
            reader.recordEnded();
            long endLine = parser.getCurrentLineNumber();
            List<String> values = record.toList();
            long line = Math.max(lastLine + 1, endLine - embeddedLineBreaks(values));
            lastLine = endLine;
            if (skipRemainder) {
                skipRemainder = false; // the rest of a row whose syntax broke, already quarantined
                continue;
            }
            return new Row(line, values, null, null);
        }
        return null;
    }

    private Row syntaxProblem(UncheckedIOException e) throws IOException {
        long line = lastLine + 1;
        lastLine = Math.max(lastLine, parser.getCurrentLineNumber());
        if (e.getCause() instanceof RecordBoundReader.RecordTooLong) {
            ended = true; // an unclosed quote swallows the rest of the file: nothing after it can be read
            return new Row(line, List.of(), "record longer than " + maxRecordBytes + " bytes; the rest of the file"
                    + " could not be read", new byte[0]);
        }
        if (!(e.getCause() instanceof CSVException)) {
            throw e.getCause(); // the stream broke: the download is tried again
        }
        reader.recordEnded();
        skipRemainder = true;
        String reason = e.getCause().getMessage().replaceFirst("^\\(startline \\d+\\) ", "");
        return new Row(line, List.of(), "not valid CSV: " + reason, new byte[0]);
    }

    private static List<String> columnNames(List<String> values) {
        List<String> names = new ArrayList<>(values.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < values.size(); i++) {
            String name = values.get(i).isBlank() ? "column_" + (i + 1) : values.get(i);
            String unique = name;
            for (int n = 2; !seen.add(unique); n++) {
                unique = name + "_" + n;
            }
            names.add(unique);
        }
        return names;
    }

    private static long embeddedLineBreaks(List<String> values) {
        long breaks = 0;
        for (String value : values) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '\n' || (c == '\r' && (i + 1 == value.length() || value.charAt(i + 1) != '\n'))) {
                    breaks++;
                }
            }
        }
        return breaks;
    }

    /** A row written back as CSV, for the quarantine file. */
    private static byte[] raw(List<String> values) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i);
            if (i > 0) {
                text.append(',');
            }
            boolean quote = value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\n') >= 0
                    || value.indexOf('\r') >= 0;
            text.append(quote ? '"' + value.replace("\"", "\"\"") + '"' : value);
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes UTF-8 (invalid bytes become U+FFFD) and drops a byte order mark at the start. */
    private static Reader utf8(InputStream in) {
        PushbackReader reader = new PushbackReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE)), 1);
        try {
            int first = reader.read();
            if (first >= 0 && first != '\uFEFF') {
                reader.unread(first);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return reader;
    }

    private record Row(long line, List<String> values, String problem, byte[] raw) {
    }

    /** The records of one batch, written as JSON straight into the array that becomes the batch's backing array. */
    private static final class Batch {
        private final Buffer data = new Buffer();
        private final JsonGenerator json;
        private int count;
        private int[] offsets = new int[64];
        private int[] lengths = new int[64];
        private long[] lines = new long[64];
        private final List<QuarantinedRecord> quarantined = new ArrayList<>(0);

        Batch() {
            try {
                json = JSON.createGenerator(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        int size() {
            return count + quarantined.size();
        }

        int bytes() {
            return data.size();
        }

        void quarantine(QuarantinedRecord record) {
            quarantined.add(record);
        }

        void add(List<String> header, Row row, int maxRecordBytes) {
            int start = data.size();
            try {
                json.writeStartObject();
                for (int i = 0; i < header.size(); i++) {
                    json.writeStringField(header.get(i), row.values().get(i));
                }
                json.writeEndObject();
                json.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e); // writing to memory
            }
            int length = data.size() - start;
            if (length > maxRecordBytes) {
                quarantined.add(new QuarantinedRecord(row.line(), "record longer than " + maxRecordBytes + " bytes",
                        Arrays.copyOfRange(data.array(), start, start + Math.min(length, 1024))));
                data.truncate(start);
                return;
            }
            if (count == offsets.length) {
                offsets = Arrays.copyOf(offsets, count * 2);
                lengths = Arrays.copyOf(lengths, count * 2);
                lines = Arrays.copyOf(lines, count * 2);
            }
            offsets[count] = start;
            lengths[count] = length;
            lines[count] = row.line();
            count++;
        }

        RecordBatch toRecordBatch(String sourceFile) {
            return new RecordBatch(sourceFile, data.array(), offsets, lengths, lines, count, quarantined);
        }
    }

    /** A byte array output stream that hands out its array instead of a copy. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(64 * 1024);
        }

        byte[] array() {
            return buf;
        }

        void truncate(int size) {
            count = size;
        }
    }
}
