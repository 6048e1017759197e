package io.bulkexport.sandbox;

import java.time.Duration;
import java.util.Map;

import io.bulkexport.Emulators;
import io.bulkexport.config.Settings;

/**
 * What the bundle starts for {@code bulkexport.sandbox.enabled=true} when this artifact is on the class path: every
 * emulator ({@link Sandboxes}), shaped by the {@code bulkexport.sandbox.*} settings, and the stand-in credentials
 * sent for the variables the environment leaves unset. Found by the bundle through {@link java.util.ServiceLoader}.
 */
public final class SandboxEmulators implements Emulators.Factory {
    /** The setting, refused in its own words when above what a vendor puts in one file. */
    private static int recordsPerFile(Settings settings) {
        long records = settings.whole("bulkexport.sandbox.records-per-file", 1);
        if (records > SandboxSettings.MAX_RECORDS_PER_FILE) {
            throw new io.bulkexport.config.ConfigurationException("bulkexport.sandbox.records-per-file must be at most "
                    + SandboxSettings.MAX_RECORDS_PER_FILE + " (the most lines a vendor puts in one file), not "
                    + records + ": for more records, raise bulkexport.sandbox.files");
        }
        return (int) records;
    }

    @Override
    public Emulators start(Settings settings) {
        SandboxSettings shape = SandboxSettings.defaults()
                .withFilesPerRequest((int) settings.whole("bulkexport.sandbox.files", 1))
                .withRecordsPerFile(recordsPerFile(settings))
                .withRecordBytes((int) settings.whole("bulkexport.sandbox.record-bytes", 100))
                .withReadyAfter(Duration.ofMillis(Math.round(
                        settings.decimal("bulkexport.sandbox.ready-after-seconds", 0) * 1000)))
                .withMalformedEvery((int) settings.whole("bulkexport.sandbox.malformed-every", 0))
                .withPort((int) settings.whole("bulkexport.sandbox.port", 0));
        String apiKey = settings.text("bulkexport.sandbox.api-key");
        String clientId = settings.text("bulkexport.sandbox.client-id");
        String clientSecret = settings.text("bulkexport.sandbox.client-secret");
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
}
