package io.bulkexport.config;

/**
 * Configuration that cannot work: the message is one line that names what is wrong and what to do, shown to the
 * user as is (no stack trace) before anything is submitted.
 */
public class ConfigurationException extends RuntimeException {
    public ConfigurationException(String message) {
        super(message);
    }
}
