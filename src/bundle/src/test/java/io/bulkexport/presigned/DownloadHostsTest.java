package io.bulkexport.presigned;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;

import io.bulkexport.config.ConfigurationException;
import org.junit.jupiter.api.Test;

class DownloadHostsTest {
    static final String SETTING = "bulkexport.test.download-hosts";
    static final String HOSTS = "*.s3.amazonaws.com, s3.amazonaws.com,*.s3.*.amazonaws.com  127.0.0.1";
    /** As deployed: the emulators' artifact is not on this module's test class path. */
    final DownloadHosts s3 = new DownloadHosts(SETTING, HOSTS);

    String refusal(String url) {
        return s3.refusal(URI.create(url));
    }

    @Test
    void should_follow_https_urls_to_listed_hosts() {
        assertThat(refusal("https://datafiniti-downloads.s3.amazonaws.com/15/7_1.csv?X-Amz-Signature=ab")).isNull();
        assertThat(refusal("https://my.dotted.bucket.s3.amazonaws.com/a.txt")).isNull();
        assertThat(refusal("https://S3.amazonaws.com/bucket/a.txt")).isNull();
        assertThat(refusal("https://bucket.s3.eu-west-1.amazonaws.com:443/a.txt")).isNull();
    }

    @Test
    void should_refuse_hosts_not_listed_naming_the_host_and_the_setting_but_not_the_query() {
        assertThat(refusal("https://evil.example.com/a.txt?X-Amz-Signature=secret"))
                .contains("https://evil.example.com").contains(SETTING).contains("add the host there")
                .doesNotContain("secret").doesNotContain("a.txt");
        assertThat(refusal("https://s3.amazonaws.com.evil.example/a.txt")).isNotNull();
        assertThat(refusal("https://amazonaws.com/a.txt")).as("the wildcard needs a label").isNotNull();
        assertThat(refusal("https://bucket.s3.x.y.amazonaws.com/a")).as("an inner * is one label").isNotNull();
        assertThat(refusal("https://169.254.169.254/latest/meta-data/")).isNotNull();
        assertThat(refusal("https://10.0.0.7/a.txt")).isNotNull();
    }

    @Test
    void should_refuse_plain_http_except_to_a_loopback_host_listed_as_it_is_while_the_emulators_are_there() {
        DownloadHosts withEmulators = new DownloadHosts(SETTING, HOSTS, true);
        assertThat(withEmulators.refusal(URI.create("http://bucket.s3.amazonaws.com/a.txt"))).contains("plain http");
        assertThat(withEmulators.refusal(URI.create("http://127.0.0.1:8123/bucket/a.txt"))).isNull();
        assertThat(withEmulators.refusal(URI.create("http://localhost:8123/a.txt"))).as("localhost is not on the list")
                .contains("not in");
        DownloadHosts wildcardOnly = new DownloadHosts(SETTING, "*.0.0.1", true);
        assertThat(wildcardOnly.refusal(URI.create("http://127.0.0.1/a"))).as("loopback only when named")
                .contains("plain http");
    }

    @Test
    void should_refuse_plain_http_to_loopback_without_the_emulators_on_the_class_path() {
        assertThat(refusal("http://127.0.0.1:8123/bucket/a.txt")).contains("plain http");
        assertThat(new DownloadHosts(SETTING, HOSTS, false).refusal(URI.create("http://127.0.0.1:8123/a")))
                .contains("plain http");
    }

    @Test
    void should_refuse_other_schemes_credentials_in_the_url_and_urls_without_a_host() {
        assertThat(refusal("ftp://bucket.s3.amazonaws.com/a.txt")).contains("only https");
        assertThat(refusal("file:///etc/passwd")).contains("only https");
        assertThat(refusal("https://user:pw@bucket.s3.amazonaws.com/a.txt")).contains("user name or password")
                .doesNotContain("pw");
        assertThat(refusal("/relative/a.txt")).contains("without a scheme");
    }

    @Test
    void should_refuse_everything_when_no_host_is_listed() {
        DownloadHosts none = new DownloadHosts(SETTING, " ");
        assertThat(none.refusal(URI.create("https://bucket.s3.amazonaws.com/a"))).contains("(empty)");
    }

    @Test
    void should_reject_a_pattern_that_is_not_a_host_name_at_start_up() {
        assertThatThrownBy(() -> new DownloadHosts(SETTING, "s3.amazonaws.com, https://x.example.com/"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(SETTING)
                .hasMessageContaining("'https://x.example.com/'");
        assertThatThrownBy(() -> new DownloadHosts(SETTING, "*")).hasMessageContaining("too broad");
        assertThatThrownBy(() -> new DownloadHosts(SETTING, "*.com")).hasMessageContaining("too broad");
        assertThatThrownBy(() -> new DownloadHosts(SETTING, "a.*.*b.com")).isInstanceOf(ConfigurationException.class);
    }
}
