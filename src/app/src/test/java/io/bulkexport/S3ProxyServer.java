package io.bulkexport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import io.bulkexport.records.Compression;
import io.bulkexport.sink.S3Clients;
import io.bulkexport.sink.S3Settings;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;
import org.jclouds.io.Payload;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3 implementation (S3Proxy over an in-memory store) started in-process on 127.0.0.1 over HTTPS, with a
 * certificate made for the test and its own access key. The AWS SDK of the test JVM, and of children started with
 * its {@code aws.*} system properties, finds the credentials through the default chain.
 */
final class S3ProxyServer implements AutoCloseable {
    static final String ACCESS_KEY = "test-access-key";
    static final String SECRET_KEY = "s3proxy-secret-7d1c94e2ab5f40";

    private S3Proxy proxy;
    private final Path keyStore;
    private final ObservedStore store;
    private final URI endpoint;
    private final S3Client client;

    /** @param partDelay how long each uploaded part is held, to make uploads slow enough to interrupt */
    S3ProxyServer(Path dir, Duration partDelay) throws Exception {
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        System.setProperty("aws.requestChecksumCalculation", "WHEN_REQUIRED");
        System.setProperty("aws.responseChecksumValidation", "WHEN_REQUIRED");
        keyStore = keyStore(dir);
        store = new ObservedStore(ContextBuilder.newBuilder("transient").credentials(ACCESS_KEY, SECRET_KEY)
                .build(BlobStoreContext.class).getBlobStore(), partDelay);
        proxy = start(0);
        endpoint = URI.create("https://127.0.0.1:" + proxy.getSecurePort());
        client = S3Clients.create(new S3Settings(Optional.empty(), "", Optional.of("us-east-1"), Optional.of(endpoint),
                true, true, Compression.GZIP, true, S3Settings.MIN_PART_SIZE, dir));
    }

    private S3Proxy start(int port) throws Exception {
        S3Proxy started = S3Proxy.builder()
                .blobStore(store)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .secureEndpoint(URI.create("https://127.0.0.1:" + port))
                .keyStore(keyStore.toString(), "password")
                .build();
        started.start();
        while (!started.getState().equals("STARTED")) {
            Thread.sleep(10);
        }
        return started;
    }

    /**
     * Stops the server as a crash would (requests in flight cut off, nothing listening) and starts it again after
     * {@code down} on the same address and objects. The multipart uploads begun before the crash are still listed
     * but can no longer be aborted, as when a store has lost an upload's state.
     */
    void crashAndRestartAfter(Duration down) throws Exception {
        store.loseTheUploadsBegunSoFar();
        proxy.stop();
        Thread.sleep(down.toMillis());
        proxy = start(endpoint.getPort());
    }

    /** The application settings that point the S3 sink at this server. */
    Map<String, String> settings(String bucket) {
        return Map.of("bulkexport.s3.bucket", bucket,
                "bulkexport.s3.endpoint", endpoint.toString(),
                "bulkexport.s3.region", "us-east-1",
                "bulkexport.s3.path-style", "true",
                "bulkexport.s3.trust-all-certificates", "true");
    }

    URI endpoint() {
        return endpoint;
    }

    S3ProxyServer createBucket(String bucket) {
        client.createBucket(b -> b.bucket(bucket));
        return this;
    }

    /** Every object key under the prefix, sorted (S3Proxy's own records of unfinished uploads left out). */
    List<String> keys(String bucket, String prefix) {
        return client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                .map(S3Object::key).filter(key -> !isBookkeeping(key)).sorted().toList();
    }

    /**
     * S3Proxy keeps the state of an unfinished multipart upload in objects of its own, named {@code .mpus-…} and
     * by the upload id; the application's keys always hold a '/'.
     */
    private static boolean isBookkeeping(String key) {
        return key.startsWith(".mpus-") || !key.contains("/");
    }

    String contentType(String bucket, String key) {
        return client.headObject(b -> b.bucket(bucket).key(key)).contentType();
    }

    /** The object's ETag: a new one each time the key is written. */
    String etag(String bucket, String key) {
        return client.headObject(b -> b.bucket(bucket).key(key)).eTag();
    }

    byte[] read(String bucket, String key) {
        return client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }

    /** The lines of an object, gunzipped when its key ends in .gz. */
    List<String> lines(String bucket, String key) {
        byte[] bytes = read(bucket, key);
        try {
            if (key.endsWith(".gz")) {
                bytes = new GZIPInputStream(new ByteArrayInputStream(bytes)).readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new String(bytes, StandardCharsets.UTF_8).lines().toList();
    }

    /** The "id" of every record line of these objects, in order, duplicates kept. */
    List<Long> recordIds(String bucket, List<String> keys) throws IOException {
        List<Long> ids = new ArrayList<>();
        for (String key : keys) {
            for (String line : lines(bucket, key)) {
                ids.add(ExportHarness.JSON.readTree(line).get("id").asLong());
            }
        }
        return ids;
    }

    /** Keys of the objects written so far (single puts and completed multipart uploads), in the order written. */
    List<String> written() {
        synchronized (store.written) {
            return List.copyOf(store.written);
        }
    }

    /** Keys of the multipart uploads started and neither completed nor aborted. */
    List<String> unfinishedUploads(String bucket) {
        List<String> keys = new ArrayList<>();
        client.listMultipartUploadsPaginator(b -> b.bucket(bucket)).uploads().forEach(u -> keys.add(u.key()));
        return keys;
    }

    /** Ids of the multipart uploads started and neither completed nor aborted. */
    Set<String> unfinishedUploadIds(String bucket) {
        Set<String> ids = new HashSet<>();
        client.listMultipartUploadsPaginator(b -> b.bucket(bucket)).uploads().forEach(u -> ids.add(u.uploadId()));
        return ids;
    }

    @Override
    public void close() throws Exception {
        client.close();
        proxy.stop();
    }

    /** A self-signed certificate for 127.0.0.1, made with the JDK's keytool. */
    private static Path keyStore(Path dir) throws Exception {
        Path file = dir.resolve("s3proxy-keystore.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "s3proxy", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", file.toString(), "-storepass", "password", "-keypass", "password")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0 || !Files.isRegularFile(file)) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        return file;
    }

    /**
     * Records the order in which objects are written, holds every uploaded part for a while, and refuses to abort
     * the uploads it was told to have lost.
     */
    private static final class ObservedStore extends ForwardingBlobStore {
        private final Duration delay;
        private final List<String> written = new ArrayList<>();
        private final Set<String> begun = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final Set<String> lost = java.util.concurrent.ConcurrentHashMap.newKeySet();

        ObservedStore(BlobStore store, Duration delay) {
            super(store);
            this.delay = delay;
        }

        @Override
        public String putBlob(String container, Blob blob) {
            return putBlob(container, blob, PutOptions.NONE);
        }

        @Override
        public String putBlob(String container, Blob blob, PutOptions options) {
            String etag = super.putBlob(container, blob, options);
            record(blob.getMetadata().getName());
            return etag;
        }

        @Override
        public String completeMultipartUpload(MultipartUpload upload, List<MultipartPart> parts) {
            String etag = super.completeMultipartUpload(upload, parts);
            record(upload.blobName());
            return etag;
        }

        private void record(String key) {
            if (!isBookkeeping(key)) {
                synchronized (written) {
                    written.add(key);
                }
            }
        }

        @Override
        public MultipartUpload initiateMultipartUpload(String container, org.jclouds.blobstore.domain.BlobMetadata
                metadata, PutOptions options) {
            MultipartUpload upload = super.initiateMultipartUpload(container, metadata, options);
            begun.add(upload.id());
            return upload;
        }

        void loseTheUploadsBegunSoFar() {
            lost.addAll(begun);
        }

        @Override
        public void abortMultipartUpload(MultipartUpload upload) {
            if (lost.contains(upload.id())) {
                throw new org.jclouds.blobstore.KeyNotFoundException(upload.containerName(), upload.id(),
                        "the upload's state was lost in a crash of the store");
            }
            super.abortMultipartUpload(upload);
        }

        @Override
        public MultipartPart uploadMultipartPart(MultipartUpload upload, int partNumber, Payload payload) {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return super.uploadMultipartPart(upload, partNumber, payload);
        }
    }
}
