package io.bulkexport.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

import io.bulkexport.state.RunStatus;
import org.apache.camel.CamelContext;

/**
 * What the bundle counts as it works, for whichever metrics the host runs. With Micrometer on the class path (the
 * standalone app's camel-micrometer-prometheus, Spring Boot's actuator) the counts become meters in the host's
 * {@code MeterRegistry}, named {@code bulkexport.*} (in Prometheus: {@code bulkexport_…_total}, units in the name);
 * without it (a Karaf or Camel Main host without Micrometer) every method does nothing.
 *
 * <p>Labels are few and bounded: the provider, the call (submit, status, list, fetch), the answer code, a run
 * status. Never a job, a run, a request id or a file name.
 */
public interface ExportMeters {

    /**
     * Exchange property naming the vendor call under way (submit, status, list, fetch): the pipeline's routes set it
     * before calling a provider's route, so a call's answer and retries are counted under it.
     */
    String CALL = "vendorCall";

    /** Counts nothing. */
    ExportMeters NONE = new ExportMeters() {
    };

    /** A vendor file landed: its records, the bytes stored, the lines quarantined, how long the landing attempt took. */
    default void fileLanded(String provider, String sink, long records, long storedBytes, long quarantined,
                            Duration took) {
    }

    /** A file failed after its retries (or expired at the vendor); the run carries on without it. */
    default void fileFailed(String provider) {
    }

    /**
     * An attempt at a file was discarded, superseded: its instance lost the file's claim (its lease lapsed and another
     * instance took the file over).
     */
    default void fileSuperseded(String provider) {
    }

    /** The bundle has started with jobs writing to these sinks, by provider: meters that exist from the start. */
    default void started(Map<String, java.util.Set<String>> sinksByProvider) {
    }

    /** A vendor file was read to its end or abandoned: the bytes that came over the wire and the bytes they decoded to. */
    default void bytesRead(long wireBytes, long decodedBytes) {
    }

    /** The vendor answered a call; {@code creditsRemaining} is its {@code x-credits-remaining} header, or null. */
    default void vendorAnswer(String provider, String call, int status, String creditsRemaining) {
    }

    /** A failed call is about to be tried again after {@code wait}; {@code vendorAsked}: the wait is its Retry-After. */
    default void retry(String provider, String call, Duration wait, boolean vendorAsked) {
    }

    /** A call waited this long in the provider's rate limit before it was sent. */
    default void throttled(String provider, Duration waited) {
    }

    /** The vendor accepted a submission: a paid request. */
    default void submitted(String provider) {
    }

    /** A request became ready this long after it was submitted. */
    default void ready(String provider, Duration sinceSubmission) {
    }

    /** A call reached a webhook URL: {@code outcome} is check_soon, nothing_to_do or unknown. */
    default void webhook(String provider, String outcome) {
    }

    /**
     * The meters of the host's Micrometer registry when Micrometer is on the class path, else {@link #NONE}.
     *
     * @param runs counts the ledger's runs by status, for the {@code bulkexport.runs} gauge
     */
    static ExportMeters forContext(CamelContext context, Supplier<Map<RunStatus, Long>> runs,
                                   Supplier<io.bulkexport.state.SpendReport> budgets,
                                   Supplier<Long> hookEventsPending) {
        try {
            Class.forName("io.micrometer.core.instrument.MeterRegistry", false, ExportMeters.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return NONE;
        }
        return new MicrometerMeters(context, runs, budgets, hookEventsPending);
    }
}
