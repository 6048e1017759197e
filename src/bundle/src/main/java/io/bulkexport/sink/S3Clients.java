package io.bulkexport.sink;

import java.util.function.Supplier;

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * Builds the one S3 client the bundle uses (the S3 sink uploads through it, and unfinished uploads are cleaned
 * with it) from the {@code bulkexport.s3.*} settings. Credentials come from the AWS default chain: environment
 * variables, system properties, profiles, container or instance roles.
 */
public final class S3Clients {
    private S3Clients() {
    }

    public static S3Client create(S3Settings settings) {
        S3ClientBuilder builder = S3Client.builder()
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .region(region(settings))
                .forcePathStyle(settings.pathStyle());
        settings.endpoint().ifPresent(builder::endpointOverride);
        if (settings.trustAllCertificates()) {
            builder.httpClient(ApacheHttpClient.builder().buildWithDefaults(AttributeMap.builder()
                    .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, Boolean.TRUE).build()));
        } else {
            builder.httpClient(ApacheHttpClient.builder().build());
        }
        return builder.build();
    }

    /**
     * The one client of a running bundle, built at its first use: the start-up check ({@link S3Check}) asks for it
     * first, on its own thread, so that loading the AWS SDK and resolving the region do not hold up Camel's start.
     * Everyone else gets the same client; a client that could not be built fails every use with the same error.
     */
    public static final class Shared implements Supplier<S3Client> {
        private final S3Settings settings;
        private S3Client client;
        private RuntimeException failure;

        public Shared(S3Settings settings) {
            this.settings = settings;
        }

        @Override
        public synchronized S3Client get() {
            if (failure != null) {
                throw failure;
            }
            if (client == null) {
                try {
                    client = create(settings);
                } catch (RuntimeException e) {
                    failure = e;
                    throw e;
                }
            }
            return client;
        }

        /** Starts building the client on a daemon thread; a failure is kept for the first {@link #get()}. */
        public void buildInBackground() {
            Thread thread = new Thread(() -> {
                try {
                    get();
                } catch (RuntimeException e) {
                    // kept: the start-up check reports it
                }
            }, "bulkexport-s3-client");
            thread.setDaemon(true);
            thread.start();
        }

        /** Closes the client if it was built (waiting for a build under way). */
        public synchronized void close() {
            if (client != null) {
                client.close();
            }
        }
    }

    private static Region region(S3Settings settings) {
        if (settings.region().isPresent()) {
            return Region.of(settings.region().get());
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException e) {
            return Region.US_EAST_1;
        }
    }
}
