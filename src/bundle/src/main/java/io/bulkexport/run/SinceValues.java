package io.bulkexport.run;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import io.bulkexport.config.ConfigurationException;
import io.bulkexport.job.JobDefinition;
import io.bulkexport.state.SinceCursors;
import io.bulkexport.state.StateStore;

/**
 * The {@code ${variable.since}} of an incremental job's next submission: the ledger's cursor (the start of its last
 * DONE run, {@link SinceCursors}) written as the job says, or its {@code since_initial} before its first DONE run.
 * {@code bulkexport.since.<job>} moves the cursor (an instant, a date, or {@code none}), once per value set.
 */
public class SinceValues {
    /** The setting prefix: {@code bulkexport.since.<job>}. */
    public static final String SETTING = "bulkexport.since.";

    private final StateStore store;
    private final Map<String, String> resets;

    /** @param resets {@code bulkexport.since.<job>} by job name */
    public SinceValues(StateStore store, Map<String, String> resets) {
        this.store = store;
        this.resets = resets;
    }

    /** A reset that names no job, or no instant, is refused at start-up, before anything is sent. */
    public static void check(Map<String, String> resets, Set<String> jobNames) {
        resets.forEach((job, value) -> {
            if (!jobNames.contains(job)) {
                throw new ConfigurationException(SETTING + job + " names no job: '" + job + "' (jobs: "
                        + String.join(", ", new TreeSet<>(jobNames)) + ")");
            }
            parse(job, value);
        });
    }

    /** The value the job's next submission sends, after applying a reset not applied yet; null when none. */
    public String next(JobDefinition job) {
        if (!job.usesSince()) {
            return null;
        }
        String reset = resets.get(job.name());
        if (reset != null) {
            store.since().reset(job.name(), reset, parse(job.name(), reset));
        }
        return job.incremental().text(store.since().of(job.name()).orElse(null));
    }

    /** What {@link #next} would return, read without writing (the plan), and where it comes from. */
    public Optional<String[]> peek(JobDefinition job) {
        if (!job.usesSince()) {
            return Optional.empty();
        }
        String reset = resets.get(job.name());
        Instant cursor;
        String from;
        if (reset != null && !reset.equals(store.since().lastReset(job.name()).orElse(null))) {
            cursor = parse(job.name(), reset);
            from = SETTING + job.name() + " = " + reset + " (applied at the next submission)";
        } else {
            cursor = store.since().of(job.name()).orElse(null);
            from = cursor == null ? "no DONE run yet" : "the start of its last DONE run, " + cursor;
        }
        String value = job.incremental().text(cursor);
        return Optional.of(new String[] {value, from});
    }

    private static Instant parse(String job, String value) {
        if (SinceCursors.NONE.equals(value)) {
            return null;
        }
        try {
            return value.contains("T") ? Instant.parse(value)
                    : LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeException e) {
            throw new ConfigurationException(SETTING + job + " = '" + value + "' is neither an instant"
                    + " (2026-12-01T00:00:00Z), a date (2026-12-01) nor 'none'");
        }
    }
}
