package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.SandboxSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a person reads at the end of a one-shot run of the standalone app: the summary is the end of the output (Camel
 * says it stopped in a line or two, without a line per route after it), and a second start that finds the job DONE
 * says "nothing to do" and how to ask for a new run, instead of repeating the first run's line as its own. A
 * configuration error ends the process without Camel reporting a signal nobody sent.
 */
class OnceModeOutputTest {
    @TempDir
    Path dir;

    @Test
    void should_end_with_the_summary_and_say_nothing_to_do_when_started_again() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults()).esDslJob("engineers")) {
            Process first = app.spawn("first");
            assertThat(first.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(first.exitValue()).as(app.log("first")).isZero();
            String requestId = app.onlyRequestId();
            List<String> afterSummary = linesAfterTheSummary(app.log("first"), "DONE engineers request=" + requestId);
            assertThat(afterSummary).as("the lines after the summary").hasSizeLessThanOrEqualTo(5)
                    .noneMatch(line -> line.contains("Stopped "));

            Process second = app.spawn("second");
            assertThat(second.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).as(app.log("second")).isZero();
            assertThat(app.sandbox.requestLog()).filteredOn(r -> r.kind() == EndpointKind.SUBMIT).hasSize(1);
            assertThat(app.log("second").lines().filter(line -> line.contains("engineers request=")))
                    .singleElement().asString()
                    .contains("nothing to do: DONE engineers request=" + requestId)
                    .contains("bulkexport.new-run=engineers");
        }
    }

    @Test
    void should_not_report_a_signal_when_a_configuration_error_ends_the_process() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults())) {
            app.job("broken", "provider: nobody\ndataset: x\n");
            Process refused = app.spawn("refused");
            assertThat(refused.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(refused.exitValue()).as(app.log("refused")).isEqualTo(2);
            assertThat(app.log("refused")).contains("bulk-export: configuration error: ").contains("nobody")
                    .as("no signal was sent").doesNotContain("SIGTERM");
        }
    }

    private static List<String> linesAfterTheSummary(String log, String summary) {
        List<String> lines = log.lines().toList();
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(summary)) {
                at = i;
            }
        }
        assertThat(at).as("the summary line in:\n" + log).isNotNegative();
        return lines.subList(at + 1, lines.size());
    }
}
