package io.bulkexport.sandbox;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.bulkexport.Emulators;

/**
 * What the bundle starts for {@code bulkexport.sandbox.enabled=true} when this artifact is on the class path: every
 * emulator ({@link Sandboxes}), shaped by the {@code bulkexport.sandbox.*} settings, and the stand-in credentials
 * sent for the variables the environment leaves unset. Found by the bundle through {@link java.util.ServiceLoader}.
 */
public final class SandboxEmulators implements Emulators.Factory {
    @Override
    public Emulators start(Function<String, Optional<String>> settings) {
        SandboxSettings shape = SandboxSettings.defaults()
                .withFilesPerRequest(whole(settings, "bulkexport.sandbox.files", 3, 1))
                .withRecordsPerFile(whole(settings, "bulkexport.sandbox.records-per-file", 1000, 1))
                .withRecordBytes(whole(settings, "bulkexport.sandbox.record-bytes", 1000, 100))
                .withReadyAfter(Duration.ofMillis(Math.round(
                        decimal(settings, "bulkexport.sandbox.ready-after-seconds", 2) * 1000)))
                .withMalformedEvery(whole(settings, "bulkexport.sandbox.malformed-every", 0, 0))
                .withPort(whole(settings, "bulkexport.sandbox.port", 0, 0));
        String apiKey = settings.apply("bulkexport.sandbox.api-key").orElse("sandbox-key");
        String clientId = settings.apply("bulkexport.sandbox.client-id").orElse("sandbox-client");
        String clientSecret = settings.apply("bulkexport.sandbox.client-secret").orElse("sandbox-secret");
        Sandboxes sandboxes = Sandboxes.start(shape);
        return new Emulators() {
            @Override
            public Map<String, String> properties() {
                return sandboxes.properties();
            }

            @Override
            public String credential(String variable) {
                return switch (variable) {
                    case "CORESIGNAL_API_KEY", "DATAFINITI_API_TOKEN" -> apiKey;
                    case "DATA_REQUESTS_CLIENT_ID" -> clientId;
                    case "DATA_REQUESTS_CLIENT_SECRET" -> clientSecret;
                    default -> null;
                };
            }

            @Override
            public void close() {
                sandboxes.stop();
            }
        };
    }

    private static int whole(Function<String, Optional<String>> settings, String key, int fallback, int min) {
        String value = settings.apply(key).orElse(String.valueOf(fallback));
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= min) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException(key + " must be a whole number of at least " + min + ", not '" + value + "'");
    }

    private static double decimal(Function<String, Optional<String>> settings, String key, double fallback) {
        String value = settings.apply(key).orElse(String.valueOf(fallback));
        try {
            double parsed = Double.parseDouble(value.trim());
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException(key + " must be a number of at least 0, not '" + value + "'");
    }
}
