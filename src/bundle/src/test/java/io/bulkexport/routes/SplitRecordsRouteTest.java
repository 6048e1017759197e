package io.bulkexport.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import io.bulkexport.records.QuarantinedRecord;
import io.bulkexport.records.RecordBatch;
import io.bulkexport.records.RecordReaders;
import io.bulkexport.records.RecordValidator;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.model.ProcessDefinition;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

/**
 * The shared record split of routes/write-records.yaml as a route: a gzip stream in, batches of records out, each
 * checked, bad lines quarantined with their line numbers. The sink's write step is the test's, which copies what it
 * is given (a batch is only good until the split moves on); a mock counts the batches.
 */
class SplitRecordsRouteTest extends CamelTestSupport {
    private final List<String> written = new ArrayList<>();
    private final List<QuarantinedRecord> quarantined = new ArrayList<>();

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    /** The file sink's steps around the split; not called by these tests. */
    public static final class NoSink {
        public void open(Exchange exchange) {
        }

        public void seal(Exchange exchange) {
        }
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("recordBatches", org.apache.camel.Expression.class,
                new io.bulkexport.sink.RecordBatches(new RecordReaders(3, 64 * 1024, 1024 * 1024)));
        RecordValidator validator = new RecordValidator();
        registry.bind("transformRecords", new io.bulkexport.sink.RecordTransforms());
        registry.bind("validateRecords",
                (Processor) exchange -> validator.validate(exchange.getMessage().getBody(RecordBatch.class)));
        registry.bind("writeRecords", (Processor) exchange -> {
            RecordBatch batch = exchange.getMessage().getBody(RecordBatch.class);
            for (int i = 0; i < batch.size(); i++) {
                written.add(batch.text(i));
            }
            quarantined.addAll(batch.quarantined());
        });
        registry.bind("fileSink", new NoSink());
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() throws Exception {
                for (String file : List.of("error-handling.yaml", "write-records.yaml")) {
                    PluginHelper.getRoutesLoader(getContext()).loadRoutes(ResourceHelper.fromBytes(
                            "file:" + file, Files.readAllBytes(Path.of("../../routes", file))));
                }
            }
        };
    }

    private static byte[] gzip(String text) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    @Test
    void should_split_a_gzip_stream_into_checked_batches_and_quarantine_bad_lines_by_number() throws Exception {
        AdviceWith.adviceWith(context, "split-records",
                route -> route.weaveByType(ProcessDefinition.class).selectLast().after().to("mock:batches"));
        context.start();
        MockEndpoint batches = getMockEndpoint("mock:batches");
        batches.expectedMessageCount(3);

        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= 8; i++) {
            lines.append(i == 5 ? "{\"id\": 5, broken" : "{\"id\": " + i + ", \"name\": \"r" + i + "\"}").append('\n');
        }
        Exchange done = template.request("direct:split-records", exchange -> {
            exchange.getMessage().setBody(new ByteArrayInputStream(gzip(lines.toString())));
            exchange.setProperty("encoding", "gzip");
            exchange.setProperty("format", "jsonl");
            exchange.setProperty("fileName", "part-1.json.gz");
        });

        assertThat(done.getException()).isNull();
        batches.assertIsSatisfied();
        assertThat(written).hasSize(7).first().isEqualTo("{\"id\": 1, \"name\": \"r1\"}");
        assertThat(written).noneMatch(record -> record.contains("broken"));
        assertThat(quarantined).hasSize(1);
        assertThat(quarantined.get(0).line()).isEqualTo(5);
    }
}
