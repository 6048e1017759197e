package io.bulkexport.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sandbox storage host answers like S3 does to presigned URLs, so the clients' tests against it mean something. */
class PresignedStorageTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private PresignedStorage storage;

    @BeforeEach
    void start() {
        storage = new PresignedStorage(new RequestLog(), new FaultQueue()).start(0);
        storage.put("v4/1_1.txt", "text/plain", 0, out -> out.write("{\"id\":1}\n".getBytes(StandardCharsets.UTF_8)));
    }

    @AfterEach
    void stop() {
        storage.stop();
    }

    private HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void should_serve_an_object_at_a_valid_presigned_url() throws Exception {
        HttpResponse<String> answer = get(storage.sign("v4/1_1.txt", Instant.now(), Duration.ofDays(7)), null);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("{\"id\":1}\n");
    }

    @Test
    void should_refuse_a_request_that_also_carries_an_authorization_header() throws Exception {
        HttpResponse<String> answer = get(storage.sign("v4/1_1.txt", Instant.now(), Duration.ofDays(7)),
                "Bearer some-api-token");
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("<Code>InvalidArgument</Code>").contains("Only one auth mechanism allowed");
        assertThat(storage.refusedForAuthorizationHeader()).isEqualTo(1);
    }

    @Test
    void should_answer_403_once_the_url_has_expired_or_was_revoked() throws Exception {
        String old = storage.sign("v4/1_1.txt", Instant.now().minus(Duration.ofDays(8)), Duration.ofDays(7));
        assertThat(get(old, null).statusCode()).isEqualTo(403);
        assertThat(get(old, null).body()).contains("<Code>AccessDenied</Code><Message>Request has expired</Message>");
        String revoked = storage.revoke(storage.sign("v4/1_1.txt", Instant.now(), Duration.ofDays(7)));
        assertThat(get(revoked, null).statusCode()).isEqualTo(403);
        assertThat(storage.refusedAsExpired()).isEqualTo(3);
    }

    @Test
    void should_answer_403_to_a_tampered_signature() throws Exception {
        String url = storage.sign("v4/1_1.txt", Instant.now(), Duration.ofDays(7));
        String tampered = url.replace("X-Amz-Expires=604800", "X-Amz-Expires=999999");
        assertThat(get(tampered, null).statusCode()).isEqualTo(403);
        assertThat(get(tampered, null).body()).contains("SignatureDoesNotMatch");
    }
}
