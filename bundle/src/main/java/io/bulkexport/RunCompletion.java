package io.bulkexport;

/**
 * What once mode does when every one-shot job has ended: exit codes are 0 when all are done, 1 when any is not. Bind
 * one in the Camel registry to replace the default, which stops Camel and then exits the JVM with the code (the
 * standalone app returns the code from its main method instead; Karaf, which cannot exit, only stops the routes).
 */
@FunctionalInterface
public interface RunCompletion {
    void finished(int exitCode);
}
