package io.bulkexport.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxCommandLineTest {

    @Test
    void options_become_settings() {
        SandboxSettings settings = SandboxCommandLine.settings(SandboxCommandLine.parse(new String[] {
            "--port", "8089", "--files", "7", "--records", "10000", "--record-bytes", "2000",
            "--ready-after-seconds", "0.5", "--files-dir", "/tmp/data", "--malformed-every", "100"}));
        assertThat(settings.port()).isEqualTo(8089);
        assertThat(settings.filesPerRequest()).isEqualTo(7);
        assertThat(settings.recordsPerFile()).isEqualTo(10_000);
        assertThat(settings.recordBytes()).isEqualTo(2000);
        assertThat(settings.readyAfter()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.filesDir()).isEqualTo(Path.of("/tmp/data"));
        assertThat(settings.malformedEvery()).isEqualTo(100);
        assertThatThrownBy(() -> SandboxCommandLine.parse(new String[] {"--nope", "1"}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SandboxCommandLine.settings(SandboxCommandLine.parse(new String[] {"--records", "10001"})))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void runs_as_its_own_process_announces_its_url_and_writes_its_request_log_when_stopped(@TempDir Path dir) throws Exception {
        Path requestLog = dir.resolve("requests.txt");
        long before = System.currentTimeMillis();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CoresignalSandbox.class.getName(), "--port", "0", "--ready-after-seconds", "0",
                "--request-log", requestLog.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).matches("sandbox listening on http://127\\.0\\.0\\.1:\\d+/cdapi");
            SandboxClient client = new SandboxClient(line.substring("sandbox listening on ".length()), "key");
            String id = SandboxClient.requestId(client.submitJson("employee_base", "es_dsl", "{}"));
            assertThat(client.awaitFiles(id)).hasSize(3);
        } finally {
            process.destroy();
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        List<String> lines = Files.readAllLines(requestLog);
        assertThat(lines).hasSizeGreaterThanOrEqualTo(2);
        assertThat(lines.get(0)).matches("\\d+\\.\\d{3} SUBMIT 20\\d");
        assertThat(lines.subList(1, lines.size())).allMatch(l -> l.matches("\\d+\\.\\d{3} STATUS 200"));
        double first = Double.parseDouble(lines.get(0).split(" ")[0]);
        assertThat(first).isBetween(before - 1000.0, System.currentTimeMillis() + 1000.0);
    }

}
