package io.bulkexport.sandbox;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every vendor emulator at once, for demo mode: started together on free ports, accepting any credentials, with the
 * settings that point each provider at its emulator.
 */
public final class Sandboxes implements AutoCloseable {
    private final CoresignalSandbox coresignal;
    private final DatafinitiSandbox datafiniti;
    private final DataRequestsSandbox dataRequests;

    private Sandboxes(SandboxSettings settings) {
        coresignal = new CoresignalSandbox(settings);
        datafiniti = new DatafinitiSandbox(settings.withPort(0));
        dataRequests = new DataRequestsSandbox(settings.withPort(0), null, null, Duration.ofHours(1));
    }

    /** Starts them all; Coresignal's on the settings' port, the others on free ports. */
    public static Sandboxes start(SandboxSettings settings) {
        Sandboxes all = new Sandboxes(settings);
        try {
            all.coresignal.start();
            all.datafiniti.start();
            all.dataRequests.start();
        } catch (RuntimeException e) {
            all.stop();
            throw e;
        }
        return all;
    }

    /** The settings that send each provider to its emulator. */
    public Map<String, String> properties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("bulkexport.coresignal.base-url", coresignal.baseUrl());
        properties.put("bulkexport.datafiniti.base-url", datafiniti.baseUrl());
        properties.put("bulkexport.datafiniti.download-hosts", datafiniti.storageHost());
        properties.put("bulkexport.data-requests.base-url", dataRequests.baseUrl());
        properties.put("bulkexport.data-requests.token-url", dataRequests.tokenUrl());
        return properties;
    }

    /** Stops every emulator that started. */
    public void stop() {
        coresignal.stop();
        datafiniti.stop();
        dataRequests.stop();
    }

    @Override
    public void close() {
        stop();
    }
}
