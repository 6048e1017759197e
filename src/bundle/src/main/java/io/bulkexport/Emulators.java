package io.bulkexport;

import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

import io.bulkexport.config.Settings;

/**
 * Stand-ins for the vendors' APIs, so that the bundle runs without an account: started when
 * {@code bulkexport.sandbox.enabled=true}. They live in their own artifact, {@code io.bulkexport:bulk-export-sandbox},
 * which provides a {@link Factory} (found with {@link ServiceLoader}); the bundle holds none.
 */
public interface Emulators extends AutoCloseable {
    /** The artifact to add for {@code bulkexport.sandbox.enabled=true}, named in the refusal when it is missing. */
    String ARTIFACT = "io.bulkexport:bulk-export-sandbox";

    /** Settings that send each provider to its emulator: base URLs, token URL, download hosts. */
    Map<String, String> properties();

    /** What to send for a credential variable that the environment leaves unset; the emulators accept any. */
    String credential(String variable);

    /** Stops every emulator. */
    @Override
    void close();

    /** Starts the emulators, configured by the {@code bulkexport.sandbox.*} settings. */
    interface Factory {
        Emulators start(Settings settings);
    }

    /** The factory of the emulators' artifact when it is on the class path. */
    static Optional<Factory> factory() {
        return ServiceLoader.load(Factory.class, Emulators.class.getClassLoader()).findFirst();
    }
}
