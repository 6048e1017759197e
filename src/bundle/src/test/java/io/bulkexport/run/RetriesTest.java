package io.bulkexport.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;

import io.bulkexport.records.DecompressionLimit;
import io.bulkexport.records.NotGzipException;
import io.bulkexport.sink.SinkRefusedException;
import io.bulkexport.sink.SinkUnavailableException;
import io.bulkexport.vendor.RetryableVendorException;
import io.bulkexport.vendor.VendorRejectedException;
import org.apache.camel.RuntimeCamelException;
import org.junit.jupiter.api.Test;

class RetriesTest {
    private final Retries retries = new Retries();

    private static RetryableVendorException answered(int status) {
        return new RetryableVendorException("acme", status, "acme answered " + status, null);
    }

    @Test
    void should_send_a_submission_again_only_when_the_vendor_surely_did_not_take_it() {
        assertThat(retries.submission(answered(429))).isTrue();
        assertThat(retries.submission(answered(503))).isTrue();
        assertThat(retries.submission(answered(500))).as("may have been taken").isFalse();
        assertThat(retries.submission(new SocketTimeoutException("Read timed out"))).isFalse();
        assertThat(retries.submission(new VendorRejectedException("acme", 400, "bad request"))).isFalse();
    }

    @Test
    void should_fetch_a_download_again_after_vendor_errors_broken_streams_and_an_unreachable_sink() {
        assertThat(retries.download(answered(502))).isTrue();
        assertThat(retries.download(new EOFException("Unexpected end of ZLIB input stream"))).isTrue();
        assertThat(retries.download(new RuntimeCamelException(new SocketTimeoutException("Read timed out"))))
                .as("a broken stream among the causes").isTrue();
        assertThat(retries.download(new UncheckedIOException(new IOException("reset")))).isTrue();
        assertThat(retries.download(new SinkUnavailableException("S3 unreachable"))).isTrue();
    }

    @Test
    void should_not_fetch_again_what_would_come_back_the_same_or_what_the_vendor_or_sink_refused() {
        assertThat(retries.download(new NotGzipException("x.json.gz should be gzip but is not"))).isFalse();
        NotGzipException withCause = new NotGzipException("x.json.gz should be gzip but is not");
        withCause.initCause(new IOException("read after the check"));
        assertThat(retries.download(withCause)).as("marked, whatever it wraps").isFalse();
        assertThat(retries.download(new RuntimeCamelException(
                new DecompressionLimit.DecompressionBombException("x decodes to more than 32 GB")))).isFalse();
        assertThat(retries.download(new VendorRejectedException("acme", 404, "no such file"))).isFalse();
        assertThat(retries.download(new SinkRefusedException("no such bucket"))).isFalse();
    }

    @Test
    void should_tell_a_submission_that_never_reached_the_vendor_from_one_whose_outcome_is_unknown() {
        assertThat(Retries.surelyNotAccepted(new RuntimeCamelException(new ConnectException("refused")))).isTrue();
        assertThat(Retries.surelyNotAccepted(new VendorRejectedException("acme", 402, "no credits"))).isTrue();
        assertThat(Retries.surelyNotAccepted(answered(429))).isTrue();
        assertThat(Retries.surelyNotAccepted(answered(500))).isFalse();
        assertThat(Retries.surelyNotAccepted(new SocketTimeoutException("Read timed out"))).isFalse();
        // failures before any request was written: no endpoint, no route, no TLS session, a URL that is not one
        assertThat(Retries.surelyNotAccepted(new org.apache.camel.NoSuchEndpointException("127.0.0.1:1/cdapi")))
                .isTrue();
        assertThat(Retries.surelyNotAccepted(new org.apache.camel.ResolveEndpointFailedException("x:y", "no"))).isTrue();
        assertThat(Retries.surelyNotAccepted(new RuntimeCamelException(new java.net.NoRouteToHostException("no"))))
                .isTrue();
        assertThat(Retries.surelyNotAccepted(new javax.net.ssl.SSLHandshakeException("bad certificate"))).isTrue();
        assertThat(Retries.surelyNotAccepted(new RuntimeCamelException(new java.net.SocketException(
                "Connection reset")))).as("reset after sending: unknown").isFalse();
    }
}
