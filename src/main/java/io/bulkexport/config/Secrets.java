package io.bulkexport.config;

/**
 * Reads credentials. They come from environment variables; a JVM system property of the same name is accepted
 * for embedding and tests. A credential is never put in a Camel header, property, URI or log line.
 */
public final class Secrets {
    private Secrets() {
    }

    /** The credential's value, or null when it is not set or blank. Any value read is kept out of the logs. */
    public static String get(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            value = System.getProperty(name);
        }
        if (value == null || value.isBlank()) {
            return null;
        }
        SecretLogGuard.guard(value);
        return value;
    }
}
