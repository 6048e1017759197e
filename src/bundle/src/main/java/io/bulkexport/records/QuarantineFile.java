package io.bulkexport.records;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes quarantined lines as JSON Lines objects
 * {@code {"source_file", "line", "reason", "raw"}}, through Jackson so every line is valid JSON.
 */
final class QuarantineFile implements Closeable {

    private static final JsonFactory JSON = new JsonFactoryBuilder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .rootValueSeparator((String) null)
            .build();

    private final FileChannel channel;
    private final BufferedOutputStream out;
    private final JsonGenerator json;

    private QuarantineFile(FileChannel channel) throws IOException {
        this.channel = channel;
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
        this.json = JSON.createGenerator(out);
    }

    /** Creates {@code file}, truncating any existing one. */
    static QuarantineFile create(Path file) throws IOException {
        return new QuarantineFile(FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
    }

    /** Appends one line; the raw bytes are decoded as UTF-8 with invalid sequences replaced. */
    void write(String sourceFile, QuarantinedRecord record) throws IOException {
        json.writeStartObject();
        json.writeStringField("source_file", sourceFile);
        json.writeNumberField("line", record.line());
        json.writeStringField("reason", record.reason());
        json.writeStringField("raw", new String(record.raw(), StandardCharsets.UTF_8));
        json.writeEndObject();
        json.writeRaw('\n');
    }

    /** Flushes, forces the data to disk if {@code durable}, and closes. */
    void finish(boolean durable) throws IOException {
        json.close();
        out.flush();
        if (durable) {
            channel.force(true);
        }
        channel.close();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
