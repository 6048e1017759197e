package io.bulkexport.state;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the runs of every instance sharing the database may buy, counted in the run ledger: budgets of records per
 * UTC day or month, for one provider or all of them, and the credit balance a vendor last reported.
 *
 * <p>A run counts from the moment it is stored: while it may still be charged (active, failed after the vendor
 * accepted it, incomplete, or of unknown outcome) for the most records it may buy, once DONE for the records it
 * delivered (landed and quarantined); a submission the vendor refused for sure, and a run refused for its budget,
 * count nothing. The check and the new run are one transaction holding each budget's row, so instances deciding at
 * once take turns and never both spend the last of a budget.
 */
public final class Budgets {
    /** The scope of a budget across all providers. */
    public static final String ALL = "*";

    /** A budget's window, in UTC. */
    public enum Period {
        DAY("records-per-day", "today"),
        MONTH("records-per-month", "this month");

        private final String setting;
        private final String words;

        Period(String setting, String words) {
            this.setting = setting;
            this.words = words;
        }

        /** The last part of the setting's name: {@code records-per-day}. */
        public String setting() {
            return setting;
        }

        /** The window that holds {@code now}: [start, end). */
        public Instant[] window(Instant now) {
            LocalDate day = now.atOffset(ZoneOffset.UTC).toLocalDate();
            LocalDate start = this == DAY ? day : day.withDayOfMonth(1);
            LocalDate end = this == DAY ? start.plusDays(1) : start.plusMonths(1);
            return new Instant[] {start.atStartOfDay(ZoneOffset.UTC).toInstant(),
                    end.atStartOfDay(ZoneOffset.UTC).toInstant()};
        }
    }

    /** A budget: at most {@code records} records bought in each window, by runs of {@code scope}'s provider. */
    public record Budget(String scope, Period period, long records) {
        /** The setting that sets it: {@code bulkexport.coresignal.budget.records-per-day}. */
        public String setting() {
            return "bulkexport." + (ALL.equals(scope) ? "" : scope + ".") + "budget." + period.setting();
        }
    }

    /** How much of a budget the current window has used. */
    public record Use(Budget budget, long used, Instant from, Instant until) {
        public long left() {
            return Math.max(0, budget.records() - used);
        }
    }

    /** A vendor's credit balance as it last reported it, and the records submitted to it since. */
    public record Credits(String provider, long reported, Instant reportedAt, long submittedSince) {
        /** What is left once the submissions made since the report are charged. */
        public long left() {
            return reported - submittedSince;
        }
    }

    /**
     * What a submission asks of the budgets: the provider, the most records it may buy, the budgets that apply to it
     * (its provider's and those of all providers) and the credit floor of its provider (or null).
     */
    public record Spend(String provider, long records, List<Budget> budgets, Long creditFloor) {
    }

    /** SQL: the runs that count against a budget (see the class comment). */
    private static final String COUNTED = "status <> '" + RunStatus.OVER_BUDGET.name() + "' AND (status <> '"
            + RunStatus.FAILED.name() + "' OR submitted_at IS NOT NULL)";

    private final StateJdbc jdbc;
    private final Clock clock;

    Budgets(StateJdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** How much of each budget its current window has used. */
    public List<Use> uses(List<Budget> budgets) {
        try {
            return jdbc.withConnection("read the budgets' use", c -> uses(c, budgets, clock.instant()));
        } catch (StateStoreException e) {
            throw e;
        } catch (Exception e) {
            throw new StateStoreException("cannot read the budgets' use", e);
        }
    }

    private static List<Use> uses(Connection c, List<Budget> budgets, Instant now) throws SQLException {
        List<Use> uses = new ArrayList<>();
        for (Budget budget : budgets) {
            Instant[] window = budget.period().window(now);
            long used = StateJdbc.query(c, "SELECT COALESCE(SUM(budget_records), 0) AS used FROM bulkexport_run"
                    + " WHERE " + scopeAndWindow(budget), rs -> rs.getLong("used"), scopeArgs(budget, window)).get(0);
            uses.add(new Use(budget, used, window[0], window[1]));
        }
        return uses;
    }

    /**
     * Why the spend would not fit now, or empty when it would: what a submission would be told, read without
     * holding anything (for the plan).
     */
    public Optional<String> shortfall(Spend spend) {
        List<Use> uses = uses(spend.budgets());
        return shortfall(spend, uses, spend.creditFloor() == null ? Optional.empty() : credits(spend.provider()));
    }

    /** Stores the credit balance a vendor reported just now (an answer's {@code x-credits-remaining}). */
    public void creditsReported(String provider, long credits) {
        long now = clock.millis();
        if (jdbc.update("UPDATE bulkexport_credits SET credits = ?, seen_at = ? WHERE provider = ? AND seen_at <= ?",
                credits, now, provider, now) == 0) {
            jdbc.insertOnce("INSERT INTO bulkexport_credits (provider, credits, seen_at) VALUES (?,?,?)", provider,
                    credits, now);
        }
    }

    /** The provider's credit balance as last reported, if it ever was. */
    public Optional<Credits> credits(String provider) {
        try {
            return jdbc.withConnection("read the credit balance", c -> credits(c, provider));
        } catch (StateStoreException e) {
            throw e;
        } catch (Exception e) {
            throw new StateStoreException("cannot read the credit balance", e);
        }
    }

    private static Optional<Credits> credits(Connection c, String provider) throws SQLException {
        List<long[]> reported = StateJdbc.query(c, "SELECT credits, seen_at FROM bulkexport_credits WHERE provider = ?",
                rs -> new long[] {rs.getLong("credits"), rs.getLong("seen_at")}, provider);
        if (reported.isEmpty()) {
            return Optional.empty();
        }
        long[] last = reported.get(0);
        long since = StateJdbc.query(c, "SELECT COALESCE(SUM(budget_records), 0) AS since FROM bulkexport_run WHERE"
                        + " provider = ? AND created_at > ? AND " + COUNTED, rs -> rs.getLong("since"), provider, last[1])
                .get(0);
        return Optional.of(new Credits(provider, last[0], Instant.ofEpochMilli(last[1]), since));
    }

    /** Makes sure each budget the spend touches has its row, to lock: before the transaction that checks. */
    void prepare(Spend spend) {
        for (String scope : scopes(spend)) {
            jdbc.insertOnce("INSERT INTO bulkexport_budget (scope) VALUES (?)", scope);
        }
    }

    /**
     * In the transaction that stores the run: locks the rows of the budgets the spend touches (always in the same
     * order, so two transactions never wait on each other in a circle) and says why the spend does not fit, or
     * empty when it does. The locks hold until the transaction ends, with the new run stored.
     */
    static Optional<String> refusal(Connection c, Spend spend, Instant now) throws SQLException {
        for (String scope : scopes(spend)) {
            StateJdbc.query(c, "SELECT scope FROM bulkexport_budget WHERE scope = ? FOR UPDATE",
                    rs -> rs.getString("scope"), scope);
        }
        return shortfall(spend, uses(c, spend.budgets(), now),
                spend.creditFloor() == null ? Optional.empty() : credits(c, spend.provider()));
    }

    /** Why the spend would not fit these uses and this balance, or empty: the one text a refusal has. */
    public static Optional<String> shortfall(Spend spend, List<Use> uses, Optional<Credits> credits) {
        for (Use use : uses) {
            Budget budget = use.budget();
            if (spend.records() > use.left()) {
                return Optional.of("over budget: " + budget.setting() + " = " + budget.records() + ", " + use.used()
                        + " used " + budget.period().words + " (UTC), " + use.left() + " left; this job may buy "
                        + spend.records() + " records; the budget renews at " + use.until());
            }
        }
        if (credits.isPresent() && credits.get().left() - spend.records() < spend.creditFloor()) {
            Credits known = credits.get();
            return Optional.of("over budget: " + spend.provider() + " reported " + known.reported()
                    + " credits left at " + known.reportedAt() + (known.submittedSince() == 0 ? ""
                    : ", " + known.submittedSince() + " records submitted since") + "; this job may buy "
                    + spend.records() + " records, which would take the balance below bulkexport."
                    + spend.provider() + ".budget.credits-floor = " + spend.creditFloor());
        }
        return Optional.empty();
    }

    /** The rows a spend locks, in the one order every transaction takes them. */
    private static List<String> scopes(Spend spend) {
        java.util.TreeSet<String> scopes = new java.util.TreeSet<>();
        spend.budgets().forEach(budget -> scopes.add(budget.scope()));
        if (spend.creditFloor() != null) {
            scopes.add(spend.provider()); // the balance is the provider's: its row orders the checks against it
        }
        return List.copyOf(scopes);
    }

    private static String scopeAndWindow(Budget budget) {
        return (ALL.equals(budget.scope()) ? "" : "provider = ? AND ") + "created_at >= ? AND created_at < ? AND "
                + COUNTED;
    }

    private static Object[] scopeArgs(Budget budget, Instant[] window) {
        return ALL.equals(budget.scope())
                ? new Object[] {window[0].toEpochMilli(), window[1].toEpochMilli()}
                : new Object[] {budget.scope(), window[0].toEpochMilli(), window[1].toEpochMilli()};
    }

    /** The records a DONE run counts: what it delivered, when less than it reserved. */
    static long delivered(List<RunFile> files) {
        return files.stream().mapToLong(f -> f.records() + f.quarantined()).sum();
    }
}
