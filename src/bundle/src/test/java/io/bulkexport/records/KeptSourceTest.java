package io.bulkexport.records;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static io.bulkexport.records.TestStreams.gzip;
import static io.bulkexport.records.TestStreams.trickle;
import static io.bulkexport.records.TestStreams.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A gzip output of a gzip JSON Lines source stores the vendor's own bytes when every record is kept as read, and
 * otherwise compresses exactly the kept records, wherever in the file the first difference comes. The records go
 * through the real reader (small batches, read ahead on its own thread) and validator, as in the routes.
 */
class KeptSourceTest {

    private static final int BATCH_RECORDS = 3;

    @TempDir
    Path dir;

    private final List<String> good = IntStream.range(0, 20)
            .mapToObj(i -> "{\"id\":" + i + ",\"name\":\"person " + i + "\",\"city\":\"Zürich\"}")
            .collect(Collectors.toList());

    @Test
    void clean_records_store_the_source_bytes_themselves() throws Exception {
        byte[] source = gzip(lines(good));

        FileResult result = export(source);

        assertThat(result.keptSource()).isTrue();
        assertThat(Files.readAllBytes(result.path())).isEqualTo(source);
        assertThat(result.records()).isEqualTo(good.size());
        assertThat(result.bytes()).isEqualTo(source.length);
        assertThat(result.sha256Hex()).isEqualTo(sha256(source));
        assertThat(result.quarantinePath()).isNull();
        assertThat(filesIn(dir)).containsExactly("out.jsonl.gz");
    }

    @Test
    void a_source_with_no_records_is_kept_too() throws Exception {
        byte[] source = gzip(new byte[0]);

        FileResult result = export(source);

        assertThat(result.keptSource()).isTrue();
        assertThat(result.records()).isZero();
        assertThat(Files.readAllBytes(result.path())).isEqualTo(source);
    }

    @Test
    void a_bad_line_after_several_batches_makes_the_writer_compress_the_kept_records_from_the_start() throws Exception {
        List<String> source = new ArrayList<>(good);
        source.add(13, "{\"id\": not json");

        FileResult result = export(gzip(lines(source)));

        assertStoresExactly(result, good);
        assertThat(result.quarantined()).isEqualTo(1);
        assertThat(Files.readString(result.quarantinePath())).contains("\"line\":14");
    }

    @Test
    void a_bad_first_line_is_handled_before_anything_was_taken() throws Exception {
        List<String> source = new ArrayList<>(good);
        source.add(0, "[1,2]");

        assertStoresExactly(export(gzip(lines(source))), good);
    }

    @Test
    void lines_ending_in_carriage_return_newline_are_stored_with_newlines_only() throws Exception {
        String text = String.join("\n", good.subList(0, 10)) + "\n" + String.join("\r\n", good.subList(10, 20)) + "\r\n";

        assertStoresExactly(export(gzip(utf8(text))), good);
    }

    @Test
    void a_last_line_without_newline_gets_one() throws Exception {
        String text = String.join("\n", good);

        assertStoresExactly(export(gzip(utf8(text))), good);
    }

    @Test
    void blank_lines_at_the_end_are_not_stored() throws Exception {
        // 18 records fill the last batch exactly, so no batch carries the blank lines: only the check at commit can
        // tell that the copy holds more than the records
        List<String> records = good.subList(0, 6 * BATCH_RECORDS);
        assertStoresExactly(export(gzip(utf8(String.join("\n", records) + "\n\n  \n"))), records);
    }

    @Test
    void a_byte_order_mark_is_not_stored() throws Exception {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

        assertStoresExactly(export(gzip(concat(bom, lines(good)))), good);
    }

    @Test
    void bytes_after_the_gzip_data_are_not_stored() throws Exception {
        byte[] garbage = utf8("this is not gzip, and some readers refuse a file that ends like this");

        FileResult result = export(concat(gzip(lines(good)), garbage));

        assertStoresExactly(result, good);
    }

    @Test
    void a_source_of_several_gzip_members_is_compressed_again_as_one() throws Exception {
        byte[] source = concat(gzip(lines(good.subList(0, 7))), gzip(lines(good.subList(7, 20))));

        assertStoresExactly(export(source), good);
    }

    @Test
    void an_aborted_writer_leaves_neither_its_output_nor_the_copy() throws Exception {
        Path target = dir.resolve("out.jsonl.gz");
        RecordFileWriter writer = RecordFileWriter.open(target, "src", Compression.GZIP);
        InputStream tee = writer.keepSource(new ByteArrayInputStream(gzip(lines(good))));
        try (RecordBatchIterator batches = new RecordReaders(BATCH_RECORDS, 1 << 16, 1 << 20)
                .open(tee, "gzip", "jsonl", "src")) {
            writer.write(batches.next());
        }
        assertThat(filesIn(dir)).anyMatch(name -> name.matches("\\.out\\.jsonl\\.gz\\.source\\.[0-9a-f]{8}\\.part"));

        writer.abort();

        assertThat(filesIn(dir)).isEmpty();
    }

    @Test
    void only_a_gzip_output_can_keep_its_source() throws Exception {
        RecordFileWriter writer = RecordFileWriter.open(dir.resolve("plain.jsonl"), "src");

        assertThatThrownBy(() -> writer.keepSource(new ByteArrayInputStream(new byte[0])))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("gzip output");
        writer.abort();
    }

    @Test
    void only_gzip_json_lines_sources_qualify() {
        assertThat(RecordReaders.isGzipJsonLines("gzip", "jsonl")).isTrue();
        assertThat(RecordReaders.isGzipJsonLines(" X-GZIP ", "ndjson")).isTrue();
        assertThat(RecordReaders.isGzipJsonLines("identity", "jsonl")).isFalse();
        assertThat(RecordReaders.isGzipJsonLines(null, "jsonl")).isFalse();
        assertThat(RecordReaders.isGzipJsonLines("gzip", "csv")).isFalse();
        assertThat(RecordReaders.isGzipJsonLines("gzip", "xml")).isFalse();
    }

    /** Reads {@code source} as the routes do (gzip JSON Lines, validated) into a gzip writer that keeps it. */
    private FileResult export(byte[] source) throws IOException {
        RecordFileWriter writer = RecordFileWriter.open(dir.resolve("out.jsonl.gz"), "src", Compression.GZIP);
        InputStream tee = writer.keepSource(trickle(source, 777));
        RecordValidator validator = new RecordValidator();
        try (RecordBatchIterator batches = new RecordReaders(BATCH_RECORDS, 1 << 16, 1 << 20)
                .open(tee, "gzip", "jsonl", "src")) {
            while (batches.hasNext()) {
                RecordBatch batch = batches.next();
                validator.validate(batch);
                writer.write(batch);
            }
        }
        return writer.commit();
    }

    private void assertStoresExactly(FileResult result, List<String> records) throws Exception {
        assertThat(result.keptSource()).isFalse();
        byte[] stored = Files.readAllBytes(result.path());
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(stored))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo(new String(lines(records), StandardCharsets.UTF_8));
        }
        assertThat(result.records()).isEqualTo(records.size());
        assertThat(result.sha256Hex()).isEqualTo(sha256(stored));
        assertThat(filesIn(dir)).noneMatch(name -> name.endsWith(".part"));
    }

    private static byte[] lines(List<String> records) {
        return utf8(records.stream().map(r -> r + "\n").collect(Collectors.joining()));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static List<String> filesIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
