package io.bulkexport.sink;

import java.io.InputStream;

import io.bulkexport.records.RecordReaders;
import io.bulkexport.run.RunExchange;
import org.apache.camel.Exchange;
import org.apache.camel.support.ExpressionAdapter;

/**
 * The expression the record split iterates (routes/write-records.yaml, {@code ref: recordBatches}): the batches of
 * records of the decoded body, read as its exchange properties {@code encoding}, {@code format} and
 * {@code fileName} say. The values are read here, in Java: a vendor's file name never becomes the text of a bean
 * call's parameters, where Camel would trim it, take {@code null} for a null and strip its quotes.
 */
public final class RecordBatches extends ExpressionAdapter {
    private final RecordReaders readers;

    public RecordBatches(RecordReaders readers) {
        this.readers = readers;
    }

    @Override
    public Object evaluate(Exchange exchange) {
        return readers.open(exchange.getMessage().getBody(InputStream.class),
                exchange.getProperty(RunExchange.ENCODING, String.class), exchange.getProperty(RunExchange.FORMAT, String.class),
                exchange.getProperty(RunExchange.FILE_NAME, String.class));
    }
}
