package io.bulkexport.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.bulkexport.config.ConfigurationException;
import io.bulkexport.job.JobCatalog;
import io.bulkexport.job.JobDefinition;
import io.bulkexport.state.Budgets;
import io.bulkexport.state.Budgets.Budget;
import io.bulkexport.state.Budgets.Period;
import io.bulkexport.state.SpendReport;
import io.bulkexport.state.StateStore;

/**
 * The spend budgets of {@code bulkexport.[<provider>.]budget.records-per-day|records-per-month} and the credit
 * floors of {@code bulkexport.<provider>.budget.credits-floor}, read and checked at start-up: a budget setting that
 * names no provider or no budget, a value that is not a whole number, or a budgeted job with nothing to cap what it
 * may buy (no limit) is a configuration error, so a typo never leaves spending unchecked. The ledger counts
 * ({@link Budgets}); this says what applies to a job, and reports each budget's use.
 */
public class SpendControl {
    private static final Pattern SETTING = Pattern.compile("(?:([A-Za-z0-9_.-]+)\\.)?budget\\.([a-z-]+)");
    private static final String CREDITS_FLOOR = "credits-floor";
    private static final String KINDS = "a budget is bulkexport.[<provider>.]budget.records-per-day or"
            + " records-per-month, a credit floor bulkexport.<provider>.budget.credits-floor";

    private final StateStore store;
    private final Map<String, String> settings;
    private List<Budget> budgets = List.of();
    private Map<String, Long> creditFloors = Map.of();

    /** @param settings every {@code bulkexport.*} setting, by the rest of its name */
    public SpendControl(StateStore store, Map<String, String> settings) {
        this.store = store;
        this.settings = settings;
    }

    /**
     * Reads the budgets for these providers and refuses a job they cannot count (one without a limit).
     * {@code providers} null: any name is taken (a reader of the ledger, such as the status command, that loads no
     * declarations); {@code catalog} null: no jobs to check.
     */
    public void use(Set<String> providers, JobCatalog catalog) {
        List<Budget> found = new ArrayList<>();
        Map<String, Long> floors = new TreeMap<>();
        new TreeMap<>(settings).forEach((key, value) -> {
            if (!key.startsWith("budget.") && !key.contains(".budget.")) {
                return;
            }
            String name = "bulkexport." + key;
            Matcher setting = SETTING.matcher(key);
            if (!setting.matches()) {
                throw new ConfigurationException(name + " is not a budget setting: " + KINDS);
            }
            String scope = setting.group(1) == null ? Budgets.ALL : setting.group(1);
            String kind = setting.group(2);
            if (!Budgets.ALL.equals(scope) && providers != null && !providers.contains(scope)) {
                throw new ConfigurationException(name + " names no provider '" + scope + "' (providers: "
                        + String.join(", ", new TreeSet<>(providers)) + "): no budget is set by it");
            }
            long amount = whole(name, value);
            if (CREDITS_FLOOR.equals(kind) && !Budgets.ALL.equals(scope)) {
                floors.put(scope, amount);
                return;
            }
            Period period = null;
            for (Period p : Period.values()) {
                if (p.setting().equals(kind)) {
                    period = p;
                }
            }
            if (period == null) {
                throw new ConfigurationException(name + " is not a budget setting: " + KINDS);
            }
            found.add(new Budget(scope, period, amount));
        });
        for (JobDefinition job : catalog == null ? List.<JobDefinition>of() : catalog.all()) {
            List<String> applying = new ArrayList<>();
            found.stream().filter(b -> applies(b, job.provider())).forEach(b -> applying.add(b.setting()));
            if (floors.containsKey(job.provider())) {
                applying.add("bulkexport." + job.provider() + ".budget." + CREDITS_FLOOR);
            }
            if (!applying.isEmpty() && job.mostRecords() == null) {
                throw new ConfigurationException("job " + job.name() + " (" + job.file() + ") sets no limit, so what it"
                        + " may buy cannot be counted against " + String.join(", ", applying) + ": give it a limit");
            }
        }
        this.budgets = List.copyOf(found);
        this.creditFloors = Map.copyOf(floors);
    }

    /** What a submission of the job asks of the budgets, or null when none applies to it. */
    public Budgets.Spend of(JobDefinition job) {
        List<Budget> applying = budgets.stream().filter(b -> applies(b, job.provider())).toList();
        Long floor = creditFloors.get(job.provider());
        if (applying.isEmpty() && floor == null) {
            return null;
        }
        return new Budgets.Spend(job.provider(), job.mostRecords(), applying, floor);
    }

    /** The vendor reported the account's credit balance (its {@code x-credits-remaining} answer header). */
    public void creditsReported(String provider, String balance) {
        if (balance == null || !creditFloors.containsKey(provider)) {
            return; // only a floor reads the balance back; the metrics show it either way
        }
        try {
            store.budgets().creditsReported(provider, Long.parseLong(balance.trim()));
        } catch (NumberFormatException e) {
            // not a whole number: not a balance to go by
        }
    }

    /** True when any budget or credit floor is set. */
    public boolean isSet() {
        return !budgets.isEmpty() || !creditFloors.isEmpty();
    }

    /** The budgets as set. */
    public List<Budget> budgets() {
        return budgets;
    }

    /**
     * Each budget's use in its current window, and each credit floor with the balance last reported, as the status
     * report, the status API and the readiness details show them.
     */
    public SpendReport report() {
        if (!isSet()) {
            return SpendReport.NONE;
        }
        List<SpendReport.Floor> floors = new ArrayList<>();
        creditFloors.forEach((provider, floor) ->
                floors.add(new SpendReport.Floor(provider, floor, store.budgets().credits(provider))));
        return new SpendReport(store.budgets().uses(budgets), floors);
    }

    private static boolean applies(Budget budget, String provider) {
        return Budgets.ALL.equals(budget.scope()) || budget.scope().equals(provider);
    }

    private static long whole(String name, String value) {
        try {
            long parsed = Long.parseLong(value.trim().replace("_", ""));
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new ConfigurationException(name + " must be a whole number of records of at least 0, not '" + value
                + "'");
    }
}
