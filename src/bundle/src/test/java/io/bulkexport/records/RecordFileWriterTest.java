package io.bulkexport.records;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static io.bulkexport.records.TestStreams.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordFileWriterTest {

    @TempDir
    Path dir;

    @Test
    void commit_writes_exact_bytes_with_counts_and_sha256() throws Exception {
        Path target = dir.resolve("out/nested/data.jsonl");
        RecordFileWriter writer = RecordFileWriter.open(target, "src.jsonl.gz");
        writer.write(RecordBatch.ofLines("src.jsonl.gz", "{\"a\":\"é\"}", "{\"b\":2}"));
        writer.write(RecordBatch.ofLines("src.jsonl.gz", "{\"c\":\"東京\"}"));
        assertThat(Files.exists(target)).isFalse();

        FileResult result = writer.commit();

        byte[] expected = utf8("{\"a\":\"é\"}\n{\"b\":2}\n{\"c\":\"東京\"}\n");
        assertThat(Files.readAllBytes(target)).isEqualTo(expected);
        assertThat(result.path()).isEqualTo(target.toAbsolutePath());
        assertThat(result.records()).isEqualTo(3);
        assertThat(result.bytes()).isEqualTo(expected.length);
        assertThat(result.sha256Hex()).isEqualTo(sha256(expected));
        assertThat(result.quarantined()).isZero();
        assertThat(result.quarantinePath()).isNull();
        assertThat(filesIn(target.getParent())).containsExactly("data.jsonl");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void a_spool_file_not_forced_to_disk_commits_the_same_files(boolean durable) throws Exception {
        Path target = dir.resolve("spool/data.jsonl.gz");
        RecordFileWriter writer = RecordFileWriter.open(target, "src.jsonl.gz", Compression.GZIP, durable);
        RecordBatch first = RecordBatch.ofLines("src.jsonl.gz", "{\"a\":1}", "not json", "{\"b\":2}");
        first.quarantineFailing(JsonSyntax::objectProblem);
        writer.write(first);
        writer.write(RecordBatch.ofLines("src.jsonl.gz", "{\"c\":3}"));

        FileResult result = writer.commit();

        byte[] stored = Files.readAllBytes(target);
        assertThat(new String(new java.util.zip.GZIPInputStream(new ByteArrayInputStream(stored)).readAllBytes(),
                StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
        assertThat(result.sha256Hex()).isEqualTo(sha256(stored));
        assertThat(result.records()).isEqualTo(3);
        assertThat(filesIn(target.getParent())).containsExactlyInAnyOrder("data.jsonl.gz", "data.quarantine.jsonl");
    }

    @Test
    void large_records_bypassing_the_buffer_are_written_and_hashed_in_order() throws Exception {
        String big = "{\"s\":\"" + "ü".repeat(200_000) + "\"}"; // larger than the write buffer
        Path target = dir.resolve("big.jsonl");
        RecordFileWriter writer = RecordFileWriter.open(target, "s");
        for (int i = 0; i < 3; i++) {
            writer.write(RecordBatch.ofLines("s", "{\"i\":" + i + "}", big));
        }
        FileResult result = writer.commit();
        byte[] written = Files.readAllBytes(target);
        String line = "{\"i\":%d}\n" + big + "\n";
        assertThat(new String(written, StandardCharsets.UTF_8))
                .isEqualTo(line.formatted(0) + line.formatted(1) + line.formatted(2));
        assertThat(result.sha256Hex()).isEqualTo(sha256(written));
        assertThat(result.bytes()).isEqualTo(written.length);
    }

    @Test
    void empty_commit_produces_an_empty_file() throws Exception {
        Path target = dir.resolve("empty.jsonl");
        FileResult result = RecordFileWriter.open(target, "s").commit();
        assertThat(Files.size(target)).isZero();
        assertThat(result.sha256Hex()).isEqualTo(sha256(new byte[0]));
    }

    @Test
    void abort_leaves_no_files_and_is_idempotent() throws Exception {
        Path target = dir.resolve("a.jsonl");
        RecordFileWriter writer = RecordFileWriter.open(target, "s");
        RecordBatch batch = RecordBatch.ofLines("s", "{\"a\":1}", "oops");
        batch.quarantine(1, "not a JSON object");
        writer.write(batch);
        writer.abort();
        writer.abort();
        assertThat(filesIn(dir)).isEmpty();
        assertThatThrownBy(() -> writer.write(batch)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void close_without_commit_aborts() throws Exception {
        Path target = dir.resolve("c.jsonl");
        try (RecordFileWriter writer = RecordFileWriter.open(target, "s")) {
            writer.write(RecordBatch.ofLines("s", "{}"));
        }
        assertThat(filesIn(dir)).isEmpty();
    }

    @Test
    void abort_after_commit_keeps_the_committed_file() throws Exception {
        Path target = dir.resolve("k.jsonl");
        RecordFileWriter writer = RecordFileWriter.open(target, "s");
        writer.write(RecordBatch.ofLines("s", "{}"));
        writer.commit();
        writer.abort();
        writer.close();
        assertThat(Files.readString(target)).isEqualTo("{}\n");
    }

    @Test
    void commit_replaces_an_existing_final_file_and_leftover_temp() throws Exception {
        Path target = dir.resolve("r.jsonl");
        Files.writeString(target, "old content that is longer\n");
        Files.writeString(dir.resolve(".r.jsonl.0badc0de.part"), "left by another attempt");
        RecordFileWriter writer = RecordFileWriter.open(target, "s");
        writer.write(RecordBatch.ofLines("s", "{\"new\":true}"));
        writer.commit();
        assertThat(Files.readString(target)).isEqualTo("{\"new\":true}\n");
        assertThat(filesIn(dir)).containsExactly("r.jsonl");
    }

    @Test
    void quarantined_lines_go_to_a_valid_json_lines_file_beside() throws Exception {
        byte[] input = utf8("{\"ok\":1}\n{\"bad\":\n[1]\n{\"ok\":2} x\n{\"ok\":3}\n");
        byte[] withInvalidUtf8 = new byte[input.length + 8];
        System.arraycopy(input, 0, withInvalidUtf8, 0, input.length);
        System.arraycopy(new byte[] {'"', (byte) 0xFF, 'q', '"', '\n', '{', '}', '\n'}, 0, withInvalidUtf8, input.length, 8);

        Path target = dir.resolve("q.jsonl");
        RecordValidator validator = new RecordValidator();
        FileResult result;
        try (RecordBatchIterator batches = new RecordReaders(2, 1024, 1024)
                .open(new ByteArrayInputStream(withInvalidUtf8), null, "jsonl", "vendor/q.jsonl");
             RecordFileWriter writer = RecordFileWriter.open(target, "ignored-when-batch-has-one")) {
            while (batches.hasNext()) {
                RecordBatch batch = batches.next();
                validator.validate(batch);
                writer.write(batch);
            }
            result = writer.commit();
        }

        assertThat(Files.readString(target)).isEqualTo("{\"ok\":1}\n{\"ok\":3}\n{}\n");
        assertThat(result.records()).isEqualTo(3);
        assertThat(result.quarantined()).isEqualTo(4);
        assertThat(result.quarantinePath()).isEqualTo(dir.resolve("q.quarantine.jsonl").toAbsolutePath());

        List<String> lines = Files.readAllLines(result.quarantinePath());
        assertThat(lines).hasSize(4);
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> entries = lines.stream().map(line -> {
            try {
                return mapper.readTree(line);
            } catch (IOException e) {
                throw new AssertionError("not valid JSON: " + line, e);
            }
        }).toList();
        assertThat(entries).extracting(e -> e.get("line").asLong()).containsExactly(2L, 3L, 4L, 6L);
        assertThat(entries).allSatisfy(e -> assertThat(e.get("source_file").asText()).isEqualTo("vendor/q.jsonl"));
        assertThat(entries.get(0).get("raw").asText()).isEqualTo("{\"bad\":");
        assertThat(entries.get(1).get("reason").asText()).isEqualTo("not a JSON object");
        assertThat(entries.get(2).get("reason").asText()).isEqualTo("trailing data after JSON object");
        assertThat(entries.get(3).get("raw").asText()).isEqualTo("\"\uFFFDq\"");
        assertThat(filesIn(dir)).containsExactly("q.jsonl", "q.quarantine.jsonl");
    }

    @Test
    void stale_quarantine_file_is_removed_when_this_run_has_none() throws Exception {
        Path target = dir.resolve("s.jsonl");
        Files.writeString(dir.resolve("s.quarantine.jsonl"), "{\"line\":1}\n");
        RecordFileWriter writer = RecordFileWriter.open(target, "s");
        writer.write(RecordBatch.ofLines("s", "{}"));
        assertThat(writer.commit().quarantinePath()).isNull();
        assertThat(filesIn(dir)).containsExactly("s.jsonl");
    }

    @Test
    void gzip_writer_stores_compressed_lines_and_counts_and_hashes_the_stored_bytes() throws Exception {
        Path target = dir.resolve("z.jsonl.gz");
        String big = "{\"s\":\"" + "ü".repeat(200_000) + "\"}"; // larger than the write buffer
        RecordFileWriter writer = RecordFileWriter.open(target, "s", Compression.GZIP);
        writer.write(RecordBatch.ofLines("s", "{\"a\":\"é\"}", big));
        writer.write(RecordBatch.ofLines("s", "{\"c\":\"東京\"}"));
        byte[] lines = utf8("{\"a\":\"é\"}\n" + big + "\n{\"c\":\"東京\"}\n");
        assertThat(writer.bytes()).isEqualTo(lines.length);

        FileResult result = writer.commit();

        byte[] stored = Files.readAllBytes(target);
        try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(stored))) {
            assertThat(in.readAllBytes()).isEqualTo(lines);
        }
        assertThat(stored.length).isLessThan(lines.length / 10);
        assertThat(result.bytes()).isEqualTo(stored.length);
        assertThat(result.sha256Hex()).isEqualTo(sha256(stored));
        assertThat(result.records()).isEqualTo(3);
        assertThat(filesIn(dir)).containsExactly("z.jsonl.gz");
    }

    @Test
    void quarantine_path_drops_jsonl_extension_only() {
        assertThat(RecordFileWriter.quarantinePathFor(Path.of("/x/a.jsonl"))).isEqualTo(Path.of("/x/a.quarantine.jsonl"));
        assertThat(RecordFileWriter.quarantinePathFor(Path.of("/x/a.jsonl.gz"))).isEqualTo(Path.of("/x/a.quarantine.jsonl"));
        assertThat(RecordFileWriter.quarantinePathFor(Path.of("/x/a.json"))).isEqualTo(Path.of("/x/a.json.quarantine.jsonl"));
    }

    @Test
    void delete_stale_temps_removes_only_hidden_part_files() throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve(".a.jsonl.part"), "x");
        Files.writeString(dir.resolve("sub/.b.quarantine.jsonl.part"), "x");
        Files.writeString(dir.resolve("keep.part"), "x");
        Files.writeString(dir.resolve("keep.jsonl"), "x");
        Files.writeString(dir.resolve(".hidden"), "x");

        assertThat(RecordFileWriter.deleteStaleTemps(dir)).isEqualTo(2);
        assertThat(filesIn(dir)).containsExactly(".hidden", "keep.jsonl", "keep.part", "sub");
        assertThat(filesIn(dir.resolve("sub"))).isEmpty();
        assertThat(RecordFileWriter.deleteStaleTemps(dir.resolve("missing"))).isZero();
    }

    private static List<String> filesIn(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
