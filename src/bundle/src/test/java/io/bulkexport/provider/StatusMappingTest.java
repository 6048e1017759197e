package io.bulkexport.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import io.bulkexport.run.RunExchange;
import io.bulkexport.vendor.UnexpectedAnswerException;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** A status answer that is the request's list of files (Coresignal's), mapped by {@code filesField}. */
class StatusMappingTest {
    private final StatusMapping files = new StatusMapping();

    StatusMappingTest() {
        files.setFilesField("data_request_files");
        files.setPendingHttpStatuses(List.of(202));
    }

    @Test
    void should_be_pending_on_the_declared_http_status_without_reading_the_body() {
        Exchange exchange = answer(202, "not json at all");
        files.apply(exchange);
        assertThat(exchange.getProperty(RunExchange.VENDOR_STATUS)).isEqualTo("PENDING");
    }

    @Test
    void should_be_pending_while_the_list_is_empty_and_ready_with_its_names() {
        Exchange empty = answer(200, "{\"data_request_files\": []}");
        files.apply(empty);
        assertThat(empty.getProperty(RunExchange.VENDOR_STATUS)).isEqualTo("PENDING");

        Exchange ready = answer(200, "{\"data_request_files\": [\"a.json.gz\", \"b.json.gz\"]}");
        files.apply(ready);
        assertThat(ready.getProperty(RunExchange.VENDOR_STATUS)).isEqualTo("READY");
        assertThat(ready.getMessage().getBody(List.class)).containsExactly("a.json.gz", "b.json.gz");
    }

    @Test
    void should_refuse_a_missing_list_or_one_that_holds_no_names_whole() {
        assertThatThrownBy(() -> files.apply(answer(200, "{\"status\": \"done\"}")))
                .isInstanceOf(UnexpectedAnswerException.class).hasMessageContaining("no 'data_request_files' list");
        assertThatThrownBy(() -> files.apply(answer(200, "{\"data_request_files\": [\"a.json.gz\", 7]}")))
                .isInstanceOf(UnexpectedAnswerException.class).hasMessageContaining("not a file name");
    }

    @Test
    void should_refuse_status_values_beside_a_files_field() {
        files.setPending(List.of("queued"));
        assertThatThrownBy(() -> files.validate("provider declaration x.provider.yaml"))
                .hasMessageContaining("status.filesField").hasMessageContaining("goes without pending");
    }

    private static Exchange answer(int code, String body) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, code);
        exchange.getMessage().setBody(body);
        return exchange;
    }
}
