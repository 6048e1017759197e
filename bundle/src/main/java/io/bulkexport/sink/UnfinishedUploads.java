package io.bulkexport.sink;

import java.util.function.Supplier;

import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * Aborts the multipart uploads of a key that an earlier process started and never finished (it was killed
 * mid-upload): their parts are invisible but stored, and billed, until aborted.
 */
public class UnfinishedUploads {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.s3");

    private final Supplier<S3Client> client;
    private final Supplier<String> bucket;

    /** Both are asked for only when an upload is about to happen. */
    public UnfinishedUploads(Supplier<S3Client> client, Supplier<String> bucket) {
        this.client = client;
        this.bucket = bucket;
    }

    /** Aborts every unfinished upload of the key in header {@code CamelAwsS3Key}; the message is left as it is. */
    public void abort(Exchange exchange) {
        String key = exchange.getMessage().getHeader(AWS2S3Constants.KEY, String.class);
        String name = bucket.get();
        S3Client s3 = client.get();
        int aborted = 0;
        for (MultipartUpload upload : s3.listMultipartUploadsPaginator(b -> b.bucket(name).prefix(key)).uploads()) {
            if (upload.key().equals(key)) {
                s3.abortMultipartUpload(b -> b.bucket(name).key(key).uploadId(upload.uploadId()));
                aborted++;
            }
        }
        if (aborted > 0) {
            LOG.info("{}: aborted {} unfinished upload(s) of s3://{}/{} left by an earlier attempt",
                    exchange.getProperty("jobName"), aborted, name, key);
        }
    }
}
