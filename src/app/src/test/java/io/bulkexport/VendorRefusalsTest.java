package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import io.bulkexport.sandbox.EndpointKind;
import io.bulkexport.sandbox.Fault;
import io.bulkexport.sandbox.SandboxSettings;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Answers that retrying cannot change fail the run at once, with the vendor's words and what to do. */
class VendorRefusalsTest {
    @TempDir
    Path dir;

    private static SandboxSettings ready() {
        return SandboxSettings.defaults().withFilesPerRequest(1).withRecordsPerFile(10).withReadyAfter(Duration.ZERO);
    }

    @ParameterizedTest(name = "submit answered {0}")
    @CsvSource(delimiter = '|', value = {
        "400 | File contains too many IDs  | more than 10,000 ids",
        "401 | Invalid API key             | check CORESIGNAL_API_KEY",
        "404 | No matching ids             | no such request, or no matching ids",
    })
    void should_fail_the_run_on_a_refused_submission_without_retrying(int status, String detail, String hint)
            throws Exception {
        try (ExportHarness app = new ExportHarness(dir, ready()).esDslJob("engineers");
             LogCapture logs = new LogCapture(Level.INFO)) {
            app.sandbox.faults().onSubmit(Fault.respond(status, "{\"detail\":\"" + detail + "\"}"));
            assertThat(app.run()).isEqualTo(1);
            assertThat(logs.text()).contains("FAILED engineers").contains(status + ": " + detail).contains(hint);
            assertThat(app.sandbox.requestLog()).filteredOn(r -> r.kind() == EndpointKind.SUBMIT).hasSize(1);
        }
    }

    @Test
    void should_fail_when_the_vendor_refuses_the_request_during_collection() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, ready()).esDslJob("engineers");
             LogCapture logs = new LogCapture(Level.INFO)) {
            app.sandbox.faults().onStatus(Fault.respond(422, "{\"detail\":\"Too many results\"}"));
            assertThat(app.run()).isEqualTo(1);
            assertThat(logs.text()).contains("FAILED engineers").contains("422: Too many results")
                    .contains("the query matched more than 10,000 records");
            assertThat(app.sandbox.requestLog()).filteredOn(r -> r.kind() == EndpointKind.STATUS).hasSize(1);
            assertThat(app.sandbox.requestLog()).filteredOn(r -> r.kind() == EndpointKind.DOWNLOAD).isEmpty();
        }
    }

    @Test
    void should_give_up_waiting_after_the_timeout_and_say_how_to_resume() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, ready().withReadyAfter(Duration.ofHours(1))).esDslJob("engineers")
                .set("bulkexport.poll.timeout-minutes", "0.02");
             LogCapture logs = new LogCapture(Level.INFO)) {
            assertThat(app.run()).isEqualTo(1);
            String requestId = app.onlyRequestId();
            assertThat(logs.text()).contains("FAILED engineers").contains("was not ready after")
                    .contains("-Dbulkexport.attach.engineers=" + requestId);
            assertThat(app.sandbox.requestLog()).filteredOn(r -> r.kind() == EndpointKind.STATUS).hasSizeGreaterThan(2);
        }
    }
}
