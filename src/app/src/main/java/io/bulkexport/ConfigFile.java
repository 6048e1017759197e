package io.bulkexport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The configuration file as plain properties, for the few settings the app needs before Camel reads the file itself
 * (the run mode, the instance id). No logging here: the launcher reads it before logging starts.
 */
final class ConfigFile {
    private ConfigFile() {
    }

    /** Its properties; none when the file does not exist. */
    static Properties read(Path file) {
        Properties properties = new Properties();
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                properties.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        return properties;
    }
}
