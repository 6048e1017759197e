package io.bulkexport.vendor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import io.bulkexport.provider.ProviderSpec;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class VendorResponsesTest {
    private final DefaultCamelContext context = new DefaultCamelContext();
    private final VendorResponses responses = new VendorResponses(Duration.ofSeconds(120), io.bulkexport.metrics.ExportMeters.NONE);

    private Exchange answer(int status, String body, String retryAfter) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setBody(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
        if (retryAfter != null) {
            exchange.getMessage().setHeader("Retry-After", retryAfter);
        }
        return exchange;
    }

    @Test
    void should_pass_success_untouched() {
        Exchange exchange = answer(202, "{\"message\":\"still processing\"}", null);
        exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, 5000L);
        responses.check(exchange, "coresignal");
        assertThat(exchange.getMessage().getHeader(Exchange.REDELIVERY_DELAY)).isNull();
        assertThat(exchange.getMessage().getBody()).isInstanceOf(ByteArrayInputStream.class);
    }

    @Test
    void should_make_429_retryable_and_set_the_redelivery_delay_from_retry_after() {
        Exchange exchange = answer(429, "{\"detail\":\"Too many requests\"}", "7");
        assertThatThrownBy(() -> responses.check(exchange, "coresignal"))
                .isInstanceOfSatisfying(RetryableVendorException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(429);
                    assertThat(e.getRetryAfterMillis()).isEqualTo(7000L);
                    assertThat(e.getMessage()).isEqualTo("coresignal answered 429: Too many requests");
                });
        assertThat(exchange.getMessage().getHeader(Exchange.REDELIVERY_DELAY)).isEqualTo(7000L);
    }

    @Test
    void should_redact_a_credential_that_a_vendor_echoes_in_its_answer_whatever_the_logging_backend() {
        System.setProperty("BULKEXPORT_TEST_ECHOED_KEY", "echoed-key-4c1d9a77");
        try {
            assertThat(io.bulkexport.config.Secrets.get("BULKEXPORT_TEST_ECHOED_KEY")).isEqualTo("echoed-key-4c1d9a77");
            Exchange exchange = answer(503, "{\"detail\":\"key echoed-key-4c1d9a77 is throttled\"}", null);
            assertThatThrownBy(() -> responses.check(exchange, "coresignal"))
                    .isInstanceOf(RetryableVendorException.class)
                    .hasMessage("coresignal answered 503: key *** is throttled");
        } finally {
            System.clearProperty("BULKEXPORT_TEST_ECHOED_KEY");
        }
    }

    @Test
    void should_read_retry_after_as_a_date_and_cap_it() {
        String inTenSeconds = ZonedDateTime.now().plusSeconds(10).format(DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(responses.retryAfterMillis(inTenSeconds)).isBetween(8000L, 10_000L);
        assertThat(responses.retryAfterMillis("86400")).isEqualTo(120_000L);
        assertThat(responses.retryAfterMillis("soon")).isNull();
        assertThat(responses.retryAfterMillis(null)).isNull();
    }

    @Test
    void should_reject_4xx_with_the_vendors_words_and_the_providers_hint() {
        ProviderSpec spec = new ProviderSpec();
        spec.setName("coresignal");
        spec.setErrorHints(java.util.Map.of(402, "top up the account"));
        context.getRegistry().bind("coresignal", spec);
        assertThatThrownBy(() -> responses.check(answer(402, "{\"detail\":\"Insufficient credits\"}", null), "coresignal"))
                .isInstanceOf(VendorRejectedException.class)
                .hasMessage("coresignal answered 402: Insufficient credits — top up the account");
    }

    @Test
    void should_keep_a_long_or_non_json_error_body_to_one_short_line() {
        assertThatThrownBy(() -> responses.check(answer(500, "<html>\n" + "x".repeat(5000) + "</html>", null), "v"))
                .isInstanceOf(RetryableVendorException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").hasSizeLessThan(340));
    }
}
