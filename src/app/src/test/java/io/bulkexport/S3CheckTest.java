package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.bulkexport.records.Compression;
import io.bulkexport.sink.S3Check;
import io.bulkexport.sink.S3Clients;
import io.bulkexport.sink.S3Settings;
import io.bulkexport.sink.SinkRefusedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** The start-up check against a real S3 implementation: refusals stop submissions, and are asked again later. */
class S3CheckTest {
    private static final String BUCKET = "checked-lake";

    @TempDir
    Path dir;

    private S3ProxyServer s3;
    private S3Client client;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    private S3Settings settings(URI endpoint) {
        return new S3Settings(Optional.of(BUCKET), "exports", Optional.of("us-east-1"), Optional.of(endpoint), true,
                true, Compression.GZIP, true, S3Settings.MIN_PART_SIZE, dir.resolve("spool"));
    }

    @Test
    void passes_when_the_bucket_takes_uploads() throws Exception {
        s3 = new S3ProxyServer(dir, Duration.ZERO).createBucket(BUCKET);
        S3Settings settings = settings(s3.endpoint());
        client = S3Clients.create(settings);
        S3Check check = S3Check.start(() -> client, settings);
        assertThatCode(check::requireAccepted).doesNotThrowAnyException();
    }

    @Test
    void refuses_a_missing_bucket_then_asks_again_once_refused() throws Exception {
        s3 = new S3ProxyServer(dir, Duration.ZERO);
        S3Settings settings = settings(s3.endpoint());
        client = S3Clients.create(settings);
        S3Check check = S3Check.start(() -> client, settings);
        assertThatThrownBy(check::requireAccepted).isInstanceOf(SinkRefusedException.class)
                .hasMessage("not submitted, since S3 would refuse its files: S3 bucket '" + BUCKET
                        + "' does not exist (bulkexport.s3.bucket)");

        s3.createBucket(BUCKET);
        assertThatCode(check::requireAccepted).as("asked again once the bucket exists").doesNotThrowAnyException();
    }

    @Test
    void reports_a_refusal_to_the_health_check_until_a_fresh_answer_says_otherwise() throws Exception {
        s3 = new S3ProxyServer(dir, Duration.ZERO);
        S3Settings settings = settings(s3.endpoint());
        client = S3Clients.create(settings);
        S3Check check = S3Check.start(() -> client, settings);
        assertThatThrownBy(check::requireAccepted).isInstanceOf(SinkRefusedException.class);
        assertThat(check.problem(Duration.ofMinutes(10))).hasValue("S3 bucket '" + BUCKET
                + "' does not exist (bulkexport.s3.bucket)");

        s3.createBucket(BUCKET);
        assertThat(check.problem(Duration.ofMinutes(10))).as("a recent answer stands").isPresent();
        await().atMost(Duration.ofSeconds(10)).until(() -> check.problem(Duration.ofMillis(100)).isEmpty());
    }

    @Test
    void lets_jobs_start_when_the_endpoint_is_unreachable() throws Exception {
        System.setProperty("aws.accessKeyId", S3ProxyServer.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3ProxyServer.SECRET_KEY);
        S3Settings settings = settings(URI.create("https://127.0.0.1:1"));
        client = S3Clients.create(settings);
        S3Check check = S3Check.start(() -> client, settings);
        assertThatCode(check::requireAccepted).as("uploads retry; a run stays resumable").doesNotThrowAnyException();
    }
    @Test
    void refuses_when_the_client_cannot_be_built_and_builds_it_once_otherwise() throws Exception {
        s3 = new S3ProxyServer(dir, Duration.ZERO).createBucket(BUCKET);
        S3Settings good = settings(s3.endpoint());
        S3Settings noRegion = new S3Settings(Optional.of(BUCKET), "exports", Optional.of(" "),
                Optional.of(s3.endpoint()), true, true, Compression.GZIP, true, S3Settings.MIN_PART_SIZE,
                dir.resolve("spool"));

        S3Clients.Shared broken = new S3Clients.Shared(noRegion);
        assertThatThrownBy(() -> S3Check.start(broken, noRegion).requireAccepted())
                .isInstanceOf(SinkRefusedException.class)
                .hasMessageStartingWith("not submitted, since S3 would refuse its files: cannot make the S3 client"
                        + " from the bulkexport.s3.* settings: ");
        Throwable first = catchThrowable(broken::get);
        assertThat(first).isNotNull();
        assertThat(catchThrowable(broken::get)).as("the same error, not a second attempt").isSameAs(first);

        S3Clients.Shared shared = new S3Clients.Shared(good);
        S3Check check = S3Check.start(shared, good);
        assertThatCode(check::requireAccepted).doesNotThrowAnyException();
        assertThat(shared.get()).as("one client, built once").isSameAs(shared.get());
        shared.close();
    }
}
