package io.bulkexport.run;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.bulkexport.config.Secrets;
import io.bulkexport.job.JobDefinition;
import io.bulkexport.provider.ProviderSpec;
import io.bulkexport.state.Budgets;
import io.bulkexport.state.Run;
import io.bulkexport.state.StateStore;
import io.bulkexport.state.StateStoreException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.apache.hc.core5.http.HttpEntity;
import org.quartz.CronExpression;

/**
 * Plan mode ({@code bulkexport.run-mode=plan}, the app's {@code plan} command): for each job, what starting it would
 * do now and the exact call its submission sends, without sending anything or writing to the state database. The
 * provider's submit route runs as it would, up to the provider's API route, which in plan mode captures the call
 * ({@link #capture}) instead of making it. Credentials are added inside the HTTP client, so the captured call holds
 * none; any secret the bundle knows is redacted all the same.
 */
public class Plan {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Where a request id the bundle makes at submission would go. */
    static final String REQUEST_ID_AT_SUBMISSION = "<request id made at submission>";

    /** Exchange property: the call the submit route would have sent. */
    private static final String CAPTURED = "bulkexportPlannedCall";

    /** The call a submit route would have sent, as the API route of plan mode found it. */
    record CapturedCall(String method, String path, String query, String contentType, String body) {
    }

    /** The API route of plan mode: captures the call the calling route prepared, and sends nothing. */
    public static void capture(Exchange exchange) throws IOException {
        Object body = exchange.getMessage().getBody();
        String text;
        if (body == null) {
            text = null;
        } else if (body instanceof byte[] bytes) {
            text = new String(bytes, StandardCharsets.UTF_8);
        } else if (body instanceof HttpEntity entity) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            entity.writeTo(out);
            // a multipart form: its boundary is random, so the form is described rather than shown
            text = "(" + entity.getContentType().split(";")[0] + ", " + out.size() + " bytes)";
        } else {
            text = exchange.getMessage().getBody(String.class);
        }
        exchange.setProperty(CAPTURED, new CapturedCall(exchange.getMessage().getHeader(Exchange.HTTP_METHOD, "POST",
                String.class), exchange.getMessage().getHeader(Exchange.HTTP_PATH, "", String.class),
                exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class),
                exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class), text));
        // the calling route ends here too: it would read the vendor's answer next
        exchange.setRouteStop(true);
    }

    private final StateStore store;
    private final Jobs jobs;
    private final Clock clock;
    private final Set<String> newRuns;
    private final Map<String, String> attach;
    private final Function<JobDefinition, String> destinations;
    private final String webhookBase;
    private final SpendControl spend;
    private final SinceValues since;

    /**
     * @param webhookBase the webhook public URL when set (a submission then carries a callback URL), else null
     * @param spend       the budgets, to say whether a submission would fit them now
     * @param since       an incremental job's {@code ${variable.since}}, as its next submission would send it
     */
    public Plan(StateStore store, Jobs jobs, Clock clock, Set<String> newRuns, Map<String, String> attach,
                Function<JobDefinition, String> destinations, String webhookBase, SpendControl spend,
                SinceValues since) {
        this.store = store;
        this.jobs = jobs;
        this.clock = clock;
        this.newRuns = newRuns;
        this.attach = attach;
        this.destinations = destinations;
        this.webhookBase = webhookBase;
        this.spend = spend;
        this.since = since;
    }

    /** The plan of every job, in the catalog's order. */
    public List<Map<String, Object>> plan(CamelContext context) {
        List<Map<String, Object>> plans = new ArrayList<>();
        try (ProducerTemplate producer = context.createProducerTemplate()) {
            for (JobDefinition job : jobs.catalog().all()) {
                plans.add(plan(context, producer, job));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return plans;
    }

    private Map<String, Object> plan(CamelContext context, ProducerTemplate producer, JobDefinition job) {
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("job", job.name());
        plan.put("provider", job.provider());
        plan.put("dataset", job.dataset());
        plan.put("method", job.method());
        plan.put("decision", decision(job));
        plan.put("records", job.mostRecords() == null ? "every match (no limit in the job)"
                : "at most " + job.mostRecords() + (job.limit() == null ? " (the ids it uploads)" : ""));
        budget(job).ifPresent(line -> plan.put("budget", line));
        if (!job.isOnce()) {
            plan.put("schedule", job.schedule());
            plan.put("nextFirings", nextFirings(job.schedule()));
        }
        plan.put("sink", job.sink());
        plan.put("destination", destinations.apply(job));
        String[] sinceValue = since(job);
        if (sinceValue != null) {
            plan.put("since", (sinceValue[0] == null ? "absent" : sinceValue[0]) + " (" + sinceValue[1] + ")");
        }
        plan.put("submission", call(context, producer, job, sinceValue == null ? null : sinceValue[0]));
        return plan;
    }

    /** What starting the job would do now, as start-job decides it (read from the ledger, nothing written). */
    private String decision(JobDefinition job) {
        Optional<Run> latest;
        try {
            latest = store.latestRun(job.name());
        } catch (StateStoreException e) {
            latest = Optional.empty(); // no state database yet: nothing has run
        }
        boolean newRunAsked = newRuns.contains(job.name()) || newRuns.contains("all");
        String attachId = attach.get(job.name());
        return switch (StartDecision.of(job, latest, false, attachId, newRunAsked)) {
            case ANOTHER_IS_ACTIVE -> "resume: run " + latest.get().runId() + " is " + latest.get().status()
                    + " (request " + latest.get().requestId() + "); nothing is submitted";
            case ATTACH -> "attach request " + attachId + " (bulkexport.attach." + job.name() + "); nothing is submitted";
            case RETRY_INCOMPLETE -> "retry the failed files of incomplete run " + latest.get().runId()
                    + "; nothing is submitted";
            case WAIT_FOR_SCHEDULE -> "submit at each firing of its schedule (paid each time)";
            case ALREADY_ENDED -> "skip: last run " + latest.get().runId() + " ended " + latest.get().status()
                    + "; set bulkexport.new-run=" + job.name() + " for a new, paid run";
            case SUBMIT -> "submit now (paid)";
        };
    }

    /** Whether a submission would fit the budgets now, when any applies to the job. */
    private Optional<String> budget(JobDefinition job) {
        Budgets.Spend asked = spend.of(job);
        if (asked == null) {
            return Optional.empty();
        }
        List<Budgets.Use> uses;
        Optional<String> shortfall;
        try {
            uses = store.budgets().uses(asked.budgets());
            shortfall = store.budgets().shortfall(asked);
        } catch (StateStoreException e) {
            // no state database yet: nothing spent, no balance reported
            Instant now = clock.instant();
            uses = asked.budgets().stream().map(b -> new Budgets.Use(b, 0, b.period().window(now)[0],
                    b.period().window(now)[1])).toList();
            shortfall = Budgets.shortfall(asked, uses, Optional.empty());
        }
        if (shortfall.isPresent()) {
            return Optional.of("would end OVER_BUDGET now: " + shortfall.get());
        }
        List<String> left = new ArrayList<>();
        uses.forEach(use -> left.add(use.left() + " of " + use.budget().setting() + " = " + use.budget().records()
                + " left"));
        if (asked.creditFloor() != null) {
            left.add("above bulkexport." + job.provider() + ".budget.credits-floor = " + asked.creditFloor());
        }
        return Optional.of("fits: " + String.join("; ", left));
    }

    private List<String> nextFirings(String cron) {
        List<String> firings = new ArrayList<>();
        try {
            CronExpression expression = new CronExpression(cron);
            Date next = Date.from(clock.instant());
            for (int i = 0; i < 3 && next != null; i++) {
                next = expression.getNextValidTimeAfter(next);
                if (next != null) {
                    firings.add(next.toInstant().toString());
                }
            }
        } catch (ParseException e) {
            firings.add("(not a cron expression: " + e.getMessage() + ")");
        }
        return firings;
    }

    /** The submission's call: the provider's submit route, run up to its API route, which captures it. */
    /** The since value of an incremental job's next submission and where it comes from; null for other jobs. */
    private String[] since(JobDefinition job) {
        try {
            return since.peek(job).orElse(null);
        } catch (StateStoreException e) {
            return job.usesSince() ? new String[] {job.incremental().text(null), "no DONE run yet"} : null;
        }
    }

    private Map<String, Object> call(CamelContext context, ProducerTemplate producer, JobDefinition job,
                                     String sinceValue) {
        Exchange exchange = new DefaultExchange(context);
        exchange.setProperty(RunExchange.SINCE, sinceValue);
        RunExchange.of(exchange).job(job).requestId(job.clientRequestId() ? REQUEST_ID_AT_SUBMISSION : null);
        ProviderSpec spec = context.getRegistry().lookupByNameAndType(job.provider(), ProviderSpec.class);
        if (webhookBase != null && spec != null && spec.webhooks()) {
            exchange.setProperty(RunExchange.WEBHOOK_URL, webhookBase + "/<token made at submission>");
        }
        Exchange done = producer.send("direct:" + job.provider() + "-submit", exchange);
        CapturedCall captured = done.getProperty(CAPTURED, CapturedCall.class);
        Map<String, Object> call = new LinkedHashMap<>();
        if (captured == null) {
            Throwable failure = done.getException();
            call.put("error", failure == null ? "the submit route made no call" : RunText.describe(failure));
            return call;
        }
        String base = spec == null ? "" : context.resolvePropertyPlaceholders(spec.api().baseUrl());
        call.put("method", captured.method());
        call.put("url", Secrets.redact(base + captured.path()
                + (captured.query() == null || captured.query().isEmpty() ? "" : "?" + captured.query())));
        if (captured.contentType() != null) {
            call.put("contentType", captured.contentType());
        }
        if (captured.body() != null) {
            call.put("body", Secrets.redact(captured.body()));
        }
        return call;
    }

    /** The plans as a person reads them. */
    public static String text(List<Map<String, Object>> plans) {
        StringBuilder out = new StringBuilder();
        for (Map<String, Object> plan : plans) {
            out.append(plan.get("job")).append(" (").append(plan.get("provider")).append(' ').append(plan.get("dataset"))
                    .append('/').append(plan.get("method")).append(")\n");
            for (Map.Entry<String, Object> entry : plan.entrySet()) {
                switch (entry.getKey()) {
                    case "job", "provider", "dataset", "method" -> {
                        // in the heading
                    }
                    case "submission" -> {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> call = (Map<String, Object>) entry.getValue();
                        if (call.containsKey("error")) {
                            out.append("  submission:  cannot be planned: ").append(call.get("error")).append('\n');
                        } else {
                            out.append("  submission:  ").append(call.get("method")).append(' ').append(call.get("url"))
                                    .append('\n');
                            if (call.get("body") != null) {
                                call.get("body").toString().lines()
                                        .forEach(line -> out.append("               ").append(line).append('\n'));
                            }
                        }
                    }
                    default -> out.append("  ").append(String.format("%-12s", entry.getKey() + ":")).append(' ')
                            .append(entry.getValue()).append('\n');
                }
            }
            out.append('\n');
        }
        out.append("Nothing was sent and nothing was recorded.\n");
        return out.toString();
    }

    /** The plans as JSON: {"jobs": [...]}. */
    public static String json(List<Map<String, Object>> plans) {
        try {
            return JSON.writeValueAsString(Map.of("jobs", plans)) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
