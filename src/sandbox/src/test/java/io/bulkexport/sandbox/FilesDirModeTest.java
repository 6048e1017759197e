package io.bulkexport.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesDirModeTest {

    @TempDir
    Path dir;

    @Test
    void written_files_are_served_byte_for_byte() throws Exception {
        CoresignalSandbox.main(new String[] {
            "--write-files", dir.toString(), "--files", "3", "--records", "25", "--record-bytes", "400",
            "--malformed-every", "10"});
        List<Path> written;
        try (Stream<Path> listing = Files.list(dir)) {
            written = listing.sorted().toList();
        }
        assertThat(written).extracting(path -> path.getFileName().toString()).containsExactly(
                "part-00000-5a4db0c5-0000-4000-8000-00000000b01c-c000.json.gz",
                "part-00001-5a4db0c5-0000-4000-8000-00000000b01c-c000.json.gz",
                "part-00002-5a4db0c5-0000-4000-8000-00000000b01c-c000.json.gz");

        try (CoresignalSandbox sandbox = new CoresignalSandbox(SandboxSettings.defaults()
                .withFilesDir(dir).withReadyAfter(Duration.ZERO)).start()) {
            SandboxClient client = new SandboxClient(sandbox.baseUrl(), "key");
            String id = SandboxClient.requestId(client.submitJson("employee_base", "es_dsl", "{}"));
            List<String> files = client.awaitFiles(id);
            assertThat(files).containsExactlyElementsOf(
                    written.stream().map(path -> "json/" + path.getFileName()).toList());
            for (int i = 0; i < files.size(); i++) {
                HttpResponse<byte[]> download = client.download(id, files.get(i));
                byte[] onDisk = Files.readAllBytes(written.get(i));
                assertThat(download.body()).isEqualTo(onDisk);
                assertThat(download.headers().firstValueAsLong("Content-Length")).hasValue(onDisk.length);
            }
            assertThat(sandbox.malformedLineCount(id)).isEqualTo(6);
            assertThat(sandbox.expectedRecordIds(id)).hasSize(69)
                    .isSubsetOf(LongStream.rangeClosed(1, 75).boxed().toList())
                    .doesNotContain(10L, 20L, 35L, 45L, 60L, 70L);
        }
    }

    @Test
    void writing_the_same_files_twice_gives_identical_bytes() throws Exception {
        SandboxSettings settings = SandboxSettings.defaults().withFilesPerRequest(1).withRecordsPerFile(50);
        Path first = Files.createDirectory(dir.resolve("first"));
        Path second = Files.createDirectory(dir.resolve("second"));
        SandboxCommandLine.writeFiles(first, settings);
        SandboxCommandLine.writeFiles(second, settings);
        String name = CoresignalSandbox.partFileName(0, SandboxCommandLine.WRITTEN_FILES_UUID);
        assertThat(Files.readAllBytes(first.resolve(name))).isEqualTo(Files.readAllBytes(second.resolve(name)));
    }

    @Test
    void cut_after_bytes_with_a_content_length_ends_in_premature_eof() throws Exception {
        SandboxCommandLine.writeFiles(dir, SandboxSettings.defaults().withFilesPerRequest(1).withRecordsPerFile(500));
        try (CoresignalSandbox sandbox = new CoresignalSandbox(SandboxSettings.defaults()
                .withFilesDir(dir).withReadyAfter(Duration.ZERO)).start()) {
            SandboxClient client = new SandboxClient(sandbox.baseUrl(), "key");
            String id = SandboxClient.requestId(client.submitJson("employee_base", "es_dsl", "{}"));
            String file = client.awaitFiles(id).get(0);
            sandbox.faults().onDownload(Fault.cutAfterBytes(1000));

            HttpResponse<InputStream> response = client.downloadStream(id, file);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValueAsLong("Content-Length").orElseThrow()).isGreaterThan(1000);
            assertThatThrownBy(() -> {
                try (InputStream in = response.body()) {
                    in.readAllBytes();
                }
            }).isInstanceOf(IOException.class);
        }
    }

    @Test
    void truncate_gzip_with_a_content_length_declares_the_short_length() throws Exception {
        SandboxCommandLine.writeFiles(dir, SandboxSettings.defaults().withFilesPerRequest(1).withRecordsPerFile(500));
        try (CoresignalSandbox sandbox = new CoresignalSandbox(SandboxSettings.defaults()
                .withFilesDir(dir).withReadyAfter(Duration.ZERO)).start()) {
            SandboxClient client = new SandboxClient(sandbox.baseUrl(), "key");
            String id = SandboxClient.requestId(client.submitJson("employee_base", "es_dsl", "{}"));
            String file = client.awaitFiles(id).get(0);
            sandbox.faults().onDownload(Fault.truncateGzip(2000));

            HttpResponse<byte[]> response = client.download(id, file);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(2000);
            assertThat(response.body()).hasSize(2000);
            assertThatThrownBy(() -> new GZIPInputStream(new ByteArrayInputStream(response.body())).readAllBytes())
                    .isInstanceOf(EOFException.class);
        }
    }
}
