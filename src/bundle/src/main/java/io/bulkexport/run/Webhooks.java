package io.bulkexport.run;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import io.bulkexport.config.Secrets;
import io.bulkexport.metrics.ExportMeters;
import io.bulkexport.state.StateStore;
import io.bulkexport.state.WebhookTokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vendor webhooks: with {@code bulkexport.webhook.public-url} set, each submission to a provider that takes them
 * ({@code webhooks: true} in its declaration) carries {@code {public-url}/webhooks/{provider}/{token}}, with a random
 * token per run stored in the ledger. A call to that URL (routes/service-api.yaml, bean {@code webhooks}) only brings
 * the run's status check forward: its payload is never read, and the status check decides. Unknown tokens are
 * refused (404) and change nothing; the token is a secret, kept out of every log line. Polling goes on as the
 * fallback, at {@code bulkexport.webhook.poll-interval-seconds} while a webhook is armed.
 */
public class Webhooks {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.webhooks");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long UNKNOWN_LOG_GAP_NANOS = 60_000_000_000L;

    private final StateStore store;
    private final String publicUrl;
    private final Duration pollInterval;
    private final long minGapMillis;
    private final Predicate<String> takesWebhooks;
    private final ExportMeters meters;
    /** When an unknown token was last logged: a flood of forged calls logs one line a minute, not one per call. */
    private final AtomicLong unknownLogged = new AtomicLong(System.nanoTime() - UNKNOWN_LOG_GAP_NANOS);

    /**
     * @param publicUrl     the base URL at which the vendor reaches this service, or null for no webhooks
     * @param pollInterval  the fallback status check interval of a run whose webhook is armed
     * @param minGap        the least time between two status checks that webhook calls bring forward, per run
     * @param takesWebhooks whether a provider's vendor calls a submission's webhook URL
     * @param meters        counts the calls by outcome
     */
    public Webhooks(StateStore store, String publicUrl, Duration pollInterval, Duration minGap,
                    Predicate<String> takesWebhooks, ExportMeters meters) {
        this.store = store;
        this.publicUrl = publicUrl == null || publicUrl.isBlank() ? null : publicUrl.replaceAll("/+$", "");
        this.pollInterval = pollInterval;
        this.minGapMillis = minGap.toMillis();
        this.takesWebhooks = takesWebhooks;
        this.meters = meters;
    }

    /** The fallback status check interval while a run's webhook is armed. */
    public Duration pollInterval() {
        return pollInterval;
    }

    /** Arms a webhook for a run about to be submitted to {@code provider}: its URL, or empty when there is none. */
    Optional<String> arm(String runId, String provider) {
        if (publicUrl == null || !takesWebhooks.test(provider)) {
            return Optional.empty();
        }
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Secrets.remember(token);
        store.webhookTokens().arm(runId, token);
        return Optional.of(publicUrl + "/webhooks/" + provider + "/" + token);
    }

    /** A call to a webhook URL: 202 when the token is a run's of that provider (whatever it did), else 404. */
    public int received(String provider, String token) {
        // the provider comes from the caller's URL: only a declared one is named, in logs and labels
        String known = provider != null && takesWebhooks.test(provider) ? provider : null;
        WebhookTokens.Outcome outcome = known == null || token == null || token.length() > 100 ? WebhookTokens.Outcome.UNKNOWN
                : store.webhookTokens().called(known, token, minGapMillis);
        meters.webhook(known == null ? "other" : known, outcome.name().toLowerCase(java.util.Locale.ROOT));
        switch (outcome) {
            case CHECK_SOON -> LOG.info("{} webhook: a run's status is checked now", known);
            case NOTHING_TO_DO -> LOG.debug("{} webhook: its run has no status check to bring forward", known);
            default -> {
                long now = System.nanoTime();
                long last = unknownLogged.get();
                if (now - last >= UNKNOWN_LOG_GAP_NANOS && unknownLogged.compareAndSet(last, now)) {
                    LOG.warn("webhook call with an unknown provider or token: ignored (answered 404; further ones"
                            + " are counted in bulkexport_webhook_calls_total, logged once a minute)");
                }
            }
        }
        return outcome == WebhookTokens.Outcome.UNKNOWN ? 404 : 202;
    }
}
