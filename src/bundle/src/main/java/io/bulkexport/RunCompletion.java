package io.bulkexport;

import io.bulkexport.config.ConfigurationException;

/**
 * How the bundle ends in the runtime that hosts it. Once mode calls {@link #finished} when every one-shot job has
 * ended (0: all done, 1: any not done); {@link #refused} is called when the configuration is wrong (a bad setting or
 * job file), before anything is sent. Bind one in the Camel registry to choose; without one the bundle behaves as a
 * process of its own ({@link #exitTheJvm}): it exits the JVM with the code (2 when refused), which
 * is what a Camel Main or Spring Boot application run from cron or a container wants. The standalone app binds its
 * own (it returns the code from its main method); Karaf's, which must not exit the JVM, only logs.
 */
public interface RunCompletion {
    void finished(int exitCode);

    /** By default the refusal is thrown on, for the runtime to report as a start-up failure. */
    default void refused(ConfigurationException refusal) {
        throw refusal;
    }

    /** Exits the JVM with the code, which stops Camel; a refusal is printed in one line and exits with 2. */
    static RunCompletion exitTheJvm() {
        return new RunCompletion() {
            @Override
            public void finished(int exitCode) {
                // the runtime's shutdown hook (Camel Main's, Spring's) stops Camel and the routes as a SIGTERM would
                Thread exit = new Thread(() -> System.exit(exitCode), "bulkexport-exit");
                exit.start();
            }

            @Override
            public void refused(ConfigurationException refusal) {
                System.err.println("bulk-export: configuration error: " + refusal.getMessage());
                org.slf4j.LoggerFactory.getLogger("bulkexport").error("configuration error: {}", refusal.getMessage());
                // on a thread of its own: the runtime's start-up, which this call is part of, must fail and let go of
                // its locks while the JVM's shutdown hooks run
                Thread exit = new Thread(() -> System.exit(2), "bulkexport-exit");
                exit.start();
                // the refusal, said above in one line, still ends the start-up; the thread that started the runtime
                // (a main method) would then print it again with a stack trace: not this one
                Thread starter = Thread.currentThread();
                Thread.UncaughtExceptionHandler before = starter.getUncaughtExceptionHandler();
                starter.setUncaughtExceptionHandler((thread, failure) -> {
                    if (!causedBy(failure, refusal)) {
                        before.uncaughtException(thread, failure);
                    }
                });
                throw refusal;
            }
        };
    }

    private static boolean causedBy(Throwable failure, Throwable cause) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t == cause) {
                return true;
            }
        }
        return false;
    }
}
