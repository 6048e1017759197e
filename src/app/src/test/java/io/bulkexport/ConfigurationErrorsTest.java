package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.bulkexport.sandbox.SandboxSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad configuration is refused at start-up with exit code 2 and one line that says what to fix; nothing is sent. */
class ConfigurationErrorsTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown provider   | provider: nosuch\\ndataset: x\\nmethod: y\\nrequest: q.json                          | unknown provider 'nosuch' (known: coresignal, data-requests, datafiniti, datafiniti-v3)",
        "unknown dataset    | provider: coresignal\\ndataset: people\\nmethod: es_dsl\\nrequest: q.json               | has no dataset 'people'",
        "unknown method     | provider: coresignal\\ndataset: employee_clean\\nmethod: ids\\nrequest: q.json          | has no method 'ids'",
        "bad cron           | provider: coresignal\\ndataset: employee_clean\\nmethod: es_dsl\\nrequest: q.json\\nschedule: every day | schedule 'every day' is neither 'once' nor a Quartz cron",
        "missing query file | provider: coresignal\\ndataset: employee_clean\\nmethod: es_dsl\\nrequest: nope.json      | nope.json cannot be read",
        "query not JSON     | provider: coresignal\\ndataset: employee_clean\\nmethod: es_dsl\\nrequest: bad.json       | is not valid JSON",
        "unknown key        | provider: coresignal\\ndataset: employee_clean\\nmethod: es_dsl\\nrequest: q.json\\nlimt: 5 | unknown key 'limt'",
        "bad limit          | provider: coresignal\\ndataset: employee_clean\\nmethod: es_dsl\\nrequest: q.json\\nlimit: -3 | limit must be a positive whole number",
        "key of another provider | provider: coresignal\\ndataset: employee_clean\\nmethod: es_dsl\\nrequest: q.json\\nquery: x | unknown key 'query' (allowed for coresignal:",
        "datafiniti no limit | provider: datafiniti\\ndataset: businesses\\nquery: categories:hotels               | no limit — provider datafiniti would download every match and charge for all of them; set limit: N, or all_records: true",
        "limit and all      | provider: datafiniti\\ndataset: businesses\\nquery: x\\nlimit: 5\\nall_records: true | set either limit or all_records: true, not both",
        "datafiniti format  | provider: datafiniti\\ndataset: businesses\\nquery: x\\nlimit: 5\\nformat: xml     | format 'xml' is not offered by datafiniti (offered: json, csv)",
        "datafiniti query   | provider: datafiniti-v3\\ndataset: products\\nlimit: 5                                 | 'query' is missing",
        "create call        | provider: data-requests\\ndataset: profile\\ncreate: DELETE /requests             | create must read 'METHOD /path'",
        "unknown template   | provider: data-requests\\ndataset: profile\\ndownload: /requests/${variable.nope}/data | template placeholder ${variable.nope} is unknown",
        "not Simple         | provider: data-requests\\ndataset: profile\\ndownload: /requests/${requestId}/data   | a job's value is written ${variable.NAME}",
        "bad encoding       | provider: data-requests\\ndataset: profile\\nencoding: br                          | encoding 'br' is not one of",
        "transform not jq   | provider: coresignal\\ndataset: employee_clean\\nmethod: es_dsl\\nrequest: q.json\\ntransform: del(.email | transform 'del(.email' is not a jq program (",
        "two transforms     | provider: coresignal\\ndataset: employee_clean\\nmethod: es_dsl\\nrequest: q.json\\ntransform: del(.a)\\ntransform_bean: mine | set either transform (jq) or transform_bean, not both",
        "no transform bean  | provider: coresignal\\ndataset: employee_clean\\nmethod: es_dsl\\nrequest: q.json\\ntransform_bean: mine | transform_bean 'mine' names no io.bulkexport.RecordTransform bean in the Camel registry",
        "since, no initial  | provider: datafiniti\\ndataset: businesses\\nquery: dateUpdated:[${variable.since} TO *]\\nlimit: 5 | query uses ${variable.since}, which has no value before the job's first DONE run: set since_initial",
    })
    void should_refuse_a_bad_job_with_one_line(String name, String job, String expected) throws Exception {
        Files.writeString(dir.resolve("q.json"), "{\"es_dsl_query\": {}}");
        Files.writeString(dir.resolve("bad.json"), "{\"es_dsl_query\": ");
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults())) {
            app.job("job", job.replace("\\n", "\n").replace("request: ", "request: " + dir + "/"));
            String err = runCapturingStderr(app);
            assertThat(err.lines().toList()).hasSize(1);
            assertThat(err).startsWith("bulk-export: configuration error: ").contains(expected);
            assertThat(app.sandbox.requestLog()).isEmpty();
        }
    }

    @Test
    void should_refuse_to_start_without_the_api_key_unless_on_the_sandbox() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults()).esDslJob("engineers")) {
            System.clearProperty("CORESIGNAL_API_KEY");
            String err = runCapturingStderr(app);
            assertThat(err).contains("CORESIGNAL_API_KEY is not set").contains("bulkexport.sandbox.enabled=true");
        } finally {
            System.setProperty("CORESIGNAL_API_KEY", ExportHarness.API_KEY);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "DATAFINITI_API_TOKEN        | provider: datafiniti\\ndataset: businesses\\nquery: x\\nlimit: 5",
        "DATAFINITI_API_TOKEN        | provider: datafiniti-v3\\ndataset: products\\nquery: x\\nlimit: 5",
        "DATA_REQUESTS_CLIENT_ID     | provider: data-requests\\ndataset: profile",
    })
    void should_refuse_to_start_without_a_providers_credentials_unless_on_the_sandbox(String env, String job)
            throws Exception {
        System.clearProperty("DATAFINITI_API_TOKEN");
        System.clearProperty("DATA_REQUESTS_CLIENT_ID");
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults())) {
            app.job("job", job.replace("\\n", "\n"));
            String err = runCapturingStderr(app);
            assertThat(err.lines().toList()).hasSize(1);
            assertThat(err).contains(env + " is not set").contains("bulkexport.sandbox.enabled=true");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not a URL        | exports.example.com | true  | must be the http(s) base URL at which the vendor reaches this service",
        "no receiver      | https://exports.example.com | false | the service API that receives the webhooks is off: set bulkexport.service-api.enabled=true",
    })
    void should_refuse_webhooks_it_could_not_receive(String name, String url, boolean api, String expected)
            throws Exception {
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults()).esDslJob("engineers")
                .set("bulkexport.webhook.public-url", url).set("bulkexport.service-api.enabled", String.valueOf(api))
                .set("camel.server.enabled", String.valueOf(api))) {
            String err = runCapturingStderr(app);
            assertThat(err.lines().toList()).hasSize(1);
            assertThat(err).startsWith("bulk-export: configuration error: ").contains(expected);
            assertThat(app.sandbox.requestLog()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "base URL without scheme | bulkexport.coresignal.base-url | 127.0.0.1:9/cdapi | bulkexport.coresignal.base-url is '127.0.0.1:9/cdapi', which is not an absolute http(s) URL",
        "base URL ftp            | bulkexport.coresignal.base-url | ftp://127.0.0.1/cdapi | bulkexport.coresignal.base-url is 'ftp://127.0.0.1/cdapi', which is not an absolute http(s) URL",
        "new-run typo            | bulkexport.new-run | enginers | bulkexport.new-run names no job: 'enginers' (jobs: engineers; or all)",
        "attach typo             | bulkexport.attach.enginers | 12345 | bulkexport.attach.enginers names no job: 'enginers' (jobs: engineers); nothing is attached",
        "attach not an id        | bulkexport.attach.engineers | 1;curl x | bulkexport.attach.engineers = '1;curl x' is not a request id",
    })
    void should_refuse_a_setting_that_names_no_job_or_no_url_before_sending_anything(String name, String key,
                                                                                      String value, String expected)
            throws Exception {
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults()).esDslJob("engineers")
                .set(key, value)) {
            String err = runCapturingStderr(app);
            assertThat(err.lines().toList()).hasSize(1);
            assertThat(err).startsWith("bulk-export: configuration error: ").contains(expected);
            assertThat(app.sandbox.requestLog()).as("nothing sent").isEmpty();
        }
    }

    @Test
    void should_refuse_a_request_file_larger_than_any_request() throws Exception {
        Path big = dir.resolve("big.json");
        Files.writeString(big, "{\"es_dsl_query\": {\"x\": \"" + "a".repeat(2 << 20) + "\"}}");
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults())) {
            app.job("big", "provider: coresignal\ndataset: employee_clean\nmethod: es_dsl\nrequest: " + big + "\n");
            String err = runCapturingStderr(app);
            assertThat(err.lines().toList()).hasSize(1);
            assertThat(err).contains("big.json holds 2097").contains("more than a request may (1048576 bytes");
            assertThat(app.sandbox.requestLog()).isEmpty();
        }
    }

    @Test
    void should_report_every_bad_job_file_at_once() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults())) {
            app.job("one", "provider: nosuch\ndataset: x\n").job("two", "provider: coresignal\ndataset: people\n")
                    .job("three", "provider: coresignal\ndataset: employee_clean\nmethod: es_dsl\nrequest: "
                            + dir.resolve("nope.json") + "\n");
            String err = runCapturingStderr(app);
            assertThat(err).startsWith("bulk-export: configuration error: 3 job files are wrong:")
                    .contains("one.yaml").contains("two.yaml").contains("three.yaml")
                    .contains("unknown provider 'nosuch'").contains("has no dataset 'people'")
                    .contains("nope.json cannot be read");
            assertThat(app.sandbox.requestLog()).isEmpty();
        }
    }

    @Test
    void should_refuse_a_bad_run_mode() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults()).esDslJob("engineers")
                .set("bulkexport.run-mode", "forever")) {
            assertThat(runCapturingStderr(app)).contains("bulkexport.run-mode must be one of service, once");
        }
    }

    @Test
    void should_refuse_download_host_patterns_that_are_not_host_names() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults()).esDslJob("engineers")
                .set("bulkexport.datafiniti.download-hosts", "https://files.example.com/")) {
            String err = runCapturingStderr(app);
            assertThat(err.lines().toList()).hasSize(1);
            assertThat(err).contains("bulkexport.datafiniti.download-hosts: 'https://files.example.com/' is not a host"
                    + " name pattern");
        }
    }

    @Test
    void should_refuse_a_bad_emulator_setting_with_one_line() throws Exception {
        try (ExportHarness app = ExportHarness.against(dir, () -> { }).esDslJob("engineers")
                .set("bulkexport.sandbox.enabled", "true").set("bulkexport.sandbox.files", "none")) {
            String err = runCapturingStderr(app);
            assertThat(err.lines().toList()).hasSize(1);
            assertThat(err).contains("bulkexport.sandbox.files must be a whole number of at least 1, not 'none'");
        }
    }

    @Test
    void should_name_the_emulator_setting_that_is_too_large() throws Exception {
        try (ExportHarness app = ExportHarness.against(dir, () -> { }).esDslJob("engineers")
                .set("bulkexport.sandbox.enabled", "true").set("bulkexport.sandbox.records-per-file", "20000")) {
            String err = runCapturingStderr(app);
            assertThat(err.lines().toList()).hasSize(1);
            assertThat(err).contains("bulkexport.sandbox.records-per-file must be at most 10000")
                    .doesNotContain("recordsPerFile");
        }
    }

    @Test
    void should_say_what_to_check_when_the_state_database_does_not_answer() throws Exception {
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults()).esDslJob("engineers")
                .set("bulkexport.state.url", "jdbc:postgresql://127.0.0.1:1/bulk")
                .set("bulkexport.state.connect-timeout-millis", "500")) {
            String err = runCapturingStderr(app);
            assertThat(err.lines().toList()).hasSize(1);
            assertThat(err).contains("cannot open the state database (bulkexport.state.url)")
                    .contains("nothing answers at that address").doesNotContain("another instance");
            assertThat(app.sandbox.requestLog()).isEmpty();
        }
    }

    @Test
    void should_shape_the_built_in_emulators_by_their_settings_and_send_their_stand_in_credentials() throws Exception {
        System.clearProperty("CORESIGNAL_API_KEY");
        try (ExportHarness app = ExportHarness.against(dir, () -> { }).esDslJob("engineers")
                .set("bulkexport.sandbox.enabled", "true").set("bulkexport.sandbox.files", "2")
                .set("bulkexport.sandbox.records-per-file", "50").set("bulkexport.sandbox.ready-after-seconds", "0")) {
            System.clearProperty("CORESIGNAL_API_KEY");
            assertThat(app.run()).as("no key in the environment: the emulators' stand-in is sent").isEqualTo(0);
            assertThat(app.manifest("engineers").get("files")).hasSize(2);
            assertThat(app.manifest("engineers").get("records").asLong()).isEqualTo(100);
        } finally {
            System.setProperty("CORESIGNAL_API_KEY", ExportHarness.API_KEY);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "budget, no limit   | bulkexport.budget.records-per-month           | 100000 | job unlimited (",
        "budget, no provider | bulkexport.coresignl.budget.records-per-day  | 5000   | bulkexport.coresignl.budget.records-per-day names no provider 'coresignl' (providers: coresignal,",
        "no such budget     | bulkexport.coresignal.budget.records-per-week | 5000   | bulkexport.coresignal.budget.records-per-week is not a budget setting: a budget is",
        "budget, no number  | bulkexport.coresignal.budget.records-per-day  | lots   | bulkexport.coresignal.budget.records-per-day must be a whole number of records",
        "since, no job      | bulkexport.since.nosuch                        | none   | bulkexport.since.nosuch names no job: 'nosuch' (jobs: unlimited)",
        "since, no instant  | bulkexport.since.unlimited                     | monday | bulkexport.since.unlimited = 'monday' is neither an instant",
    })
    void should_refuse_a_spend_setting_that_cannot_be_counted_with_one_line(String name, String key, String value,
                                                                            String expected) throws Exception {
        try (ExportHarness app = new ExportHarness(dir, SandboxSettings.defaults())) {
            app.esDslJob("unlimited").set(key, value);
            String err = runCapturingStderr(app);
            assertThat(err.lines().toList()).hasSize(1);
            assertThat(err).startsWith("bulk-export: configuration error: ").contains(expected);
            if (name.equals("budget, no limit")) {
                assertThat(err).contains("sets no limit, so what it may buy cannot be counted against"
                        + " bulkexport.budget.records-per-month: give it a limit");
            }
            assertThat(app.sandbox.requestLog()).isEmpty();
        }
    }

    private static String runCapturingStderr(ExportHarness app) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(app.run()).isEqualTo(2);
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
