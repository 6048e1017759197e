package io.bulkexport.state;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where spending stands, as the status report, the status API, the readiness details and the metrics show it: each
 * budget's use in its current window, and each credit floor with the balance its vendor last reported.
 */
public record SpendReport(List<Budgets.Use> budgets, List<Floor> floors) {
    /** No budget and no floor set. */
    public static final SpendReport NONE = new SpendReport(List.of(), List.of());

    /** A credit floor: the balance a submission must leave, and the vendor's last report if it made one. */
    public record Floor(String provider, long floor, Optional<Budgets.Credits> credits) {
        /** The setting that sets it: {@code bulkexport.coresignal.budget.credits-floor}. */
        public String setting() {
            return "bulkexport." + provider + ".budget.credits-floor";
        }
    }

    public boolean isEmpty() {
        return budgets.isEmpty() && floors.isEmpty();
    }

    /** The name a budget's scope goes by in reports: its provider, or {@code all}. */
    public static String provider(Budgets.Budget budget) {
        return Budgets.ALL.equals(budget.scope()) ? "all" : budget.scope();
    }

    /** The period as reports name it: {@code day} or {@code month}. */
    public static String period(Budgets.Budget budget) {
        return budget.period().name().toLowerCase(Locale.ROOT);
    }

    /** One JSON object per budget, then per floor: the status API's {@code budgets}. */
    public List<Map<String, Object>> json() {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (Budgets.Use use : budgets) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("budget", use.budget().setting());
            line.put("provider", provider(use.budget()));
            line.put("period", period(use.budget()));
            line.put("records", use.budget().records());
            line.put("used", use.used());
            line.put("left", use.left());
            line.put("renews", use.until().toString());
            lines.add(line);
        }
        for (Floor floor : floors) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("budget", floor.setting());
            line.put("provider", floor.provider());
            line.put("floor", floor.floor());
            line.put("reported", floor.credits().map(Budgets.Credits::reported).orElse(null));
            line.put("reportedAt", floor.credits().map(c -> c.reportedAt().toString()).orElse(null));
            line.put("left", floor.credits().map(Budgets.Credits::left).orElse(null));
            lines.add(line);
        }
        return lines;
    }
}
