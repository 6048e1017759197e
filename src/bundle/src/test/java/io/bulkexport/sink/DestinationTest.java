package io.bulkexport.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import io.bulkexport.records.Compression;
import org.junit.jupiter.api.Test;

/** A run's recorded destination: the words stored and shown, and the locations derived from them. */
class DestinationTest {
    @Test
    void the_file_sink_says_its_root_and_locates_paths_under_it() {
        Destination gzip = Destination.files(Path.of("/data/out"), Compression.GZIP);
        assertThat(gzip.text()).isEqualTo("file:/data/out (gzip)");
        assertThat(gzip.location("engineers/r-1/part-0.jsonl.gz")).isEqualTo("/data/out/engineers/r-1/part-0.jsonl.gz");
        assertThat(gzip.folder("engineers/r-1")).isEqualTo("/data/out/engineers/r-1");
        Destination plain = Destination.files(Path.of("/data/my out (2)"), Compression.NONE);
        assertThat(plain.text()).isEqualTo("file:/data/my out (2)");
        assertThat(plain.location("a/b.jsonl")).as("a root ending in words in brackets, without compression")
                .isEqualTo("/data/my out (2)/a/b.jsonl");
    }

    @Test
    void s3_says_bucket_prefix_and_compression_and_locates_whole_keys() {
        Destination prefixed = Destination.s3("lake", "vendors/bulk", Compression.GZIP);
        assertThat(prefixed.text()).isEqualTo("s3://lake/vendors/bulk (gzip)");
        assertThat(prefixed.location("vendors/bulk/engineers/r-1/part-0.jsonl.gz"))
                .isEqualTo("s3://lake/vendors/bulk/engineers/r-1/part-0.jsonl.gz");
        assertThat(prefixed.folder("engineers/r-1")).isEqualTo("s3://lake/vendors/bulk/engineers/r-1");
        Destination bare = Destination.s3("lake", "", Compression.NONE);
        assertThat(bare.text()).isEqualTo("s3://lake (none)");
        assertThat(bare.location("engineers/r-1/a.jsonl")).isEqualTo("s3://lake/engineers/r-1/a.jsonl");
        assertThat(bare.folder("engineers/r-1")).isEqualTo("s3://lake/engineers/r-1");
    }
}
