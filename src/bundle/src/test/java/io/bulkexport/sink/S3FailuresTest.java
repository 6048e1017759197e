package io.bulkexport.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

import io.bulkexport.records.Compression;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The one-line explanations of S3 failures the integration tests cannot provoke with S3Proxy. */
class S3FailuresTest {
    private static final S3Settings SETTINGS = new S3Settings(Optional.of("lake"), "exports", Optional.of("eu-west-1"),
            Optional.of(URI.create("https://minio.example:9000")), true, false, Compression.GZIP, true,
            S3Settings.MIN_PART_SIZE, Path.of("spool"));

    private static S3Exception answer(int status, String code) {
        return (S3Exception) S3Exception.builder().statusCode(status).message("from S3")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("from S3").build()).build();
    }

    @Test
    void should_name_the_permissions_when_access_is_denied_and_not_retry() {
        SinkException failure = S3Failures.explain(new RuntimeException(answer(403, "AccessDenied")), SETTINGS);
        assertThat(failure).isInstanceOf(SinkRefusedException.class);
        assertThat(failure.getMessage()).isEqualTo("S3 bucket 'lake' is not writable with these credentials"
                + " (AccessDenied): they need s3:PutObject, s3:ListBucketMultipartUploads and s3:AbortMultipartUpload");
    }

    @Test
    void should_say_no_credentials_were_found_and_not_retry() {
        SinkException failure = S3Failures.explain(SdkClientException.create("Unable to load credentials from any of"
                + " the providers in the chain AwsCredentialsProviderChain(...)"), SETTINGS);
        assertThat(failure).isInstanceOf(SinkRefusedException.class);
        assertThat(failure.getMessage()).startsWith("no AWS credentials found by the AWS default credential chain");
    }

    @Test
    void should_retry_server_errors_and_unreachable_endpoints() {
        assertThat(S3Failures.explain(answer(503, "SlowDown"), SETTINGS))
                .isInstanceOf(SinkUnavailableException.class)
                .hasMessage("S3 endpoint https://minio.example:9000 answered 503 SlowDown");
        assertThat(S3Failures.explain(SdkClientException.create("Unable to execute HTTP request",
                new ConnectException("Connection refused")), SETTINGS))
                .isInstanceOf(SinkUnavailableException.class)
                .hasMessage("S3 endpoint https://minio.example:9000 unreachable: ConnectException: Connection refused");
    }

    @Test
    void should_say_the_bucket_does_not_exist() {
        assertThat(S3Failures.explain(answer(404, "NoSuchBucket"), SETTINGS))
                .isInstanceOf(SinkRefusedException.class)
                .hasMessage("S3 bucket 'lake' does not exist (bulkexport.s3.bucket)");
    }
}
