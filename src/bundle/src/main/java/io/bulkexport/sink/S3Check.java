package io.bulkexport.sink;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Asks S3, as the bundle starts, whether its bucket will take the files: it lists the bucket's unfinished uploads
 * under the prefix, the call every upload starts with anyway (see {@link S3Uploads}). A refusal (no such
 * bucket, credentials or permissions refused) keeps S3 jobs from being submitted, so that no request is paid for
 * whose files could not be stored; an outage is only reported, since uploads are retried and a run stays resumable.
 *
 * <p>The check runs on a thread of its own while Camel starts, which also builds the client (loading the AWS SDK) if
 * it is not built yet, and opens its TLS connection before the first file needs them. A client that cannot be built is
 * a refusal too. A refusal is not final: once it has stopped a job, the next job to start asks S3 again (a service
 * that was refused keeps its cron jobs and picks up a fixed bucket policy).
 */
public final class S3Check {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.s3");

    private final Supplier<S3Client> client;
    private final S3Settings settings;
    private CompletableFuture<SinkException> outcome; // completes with null when S3 answered; null: ask again
    /** What S3 said last, for the health check: null while it accepts; asked again in the background when stale. */
    private volatile SinkException lastAnswer;
    private volatile long answeredAt;
    private volatile boolean answered;
    private final AtomicBoolean asking = new AtomicBoolean();

    private S3Check(Supplier<S3Client> client, S3Settings settings) {
        this.client = client;
        this.settings = settings;
    }

    /** Starts checking on a daemon thread, which gets (and so may build) the client first. */
    public static S3Check start(Supplier<S3Client> client, S3Settings settings) {
        S3Check check = new S3Check(client, settings);
        CompletableFuture<SinkException> first = new CompletableFuture<>();
        check.outcome = first;
        Thread thread = new Thread(() -> {
            SinkException failure = ask(client, settings);
            check.answer(failure);
            first.complete(failure);
        }, "bulkexport-s3-check");
        thread.setDaemon(true);
        thread.start();
        return check;
    }

    private static SinkException ask(Supplier<S3Client> client, S3Settings settings) {
        String bucket = settings.bucket().orElseThrow();
        S3Client s3;
        try {
            s3 = client.get();
        } catch (RuntimeException e) {
            LOG.debug("building the S3 client", e);
            return new SinkRefusedException("cannot make the S3 client from the bulkexport.s3.* settings: "
                    + e.getMessage());
        }
        try {
            s3.listMultipartUploads(b -> b.bucket(bucket).prefix(settings.prefix()));
            return null;
        } catch (RuntimeException e) {
            SinkException failure = S3Failures.explain(e, settings);
            if (failure instanceof SinkUnavailableException) {
                LOG.warn("S3 check at start-up: {}; jobs start anyway, their uploads are retried", failure.getMessage());
            }
            return failure;
        }
    }

    /**
     * For the health check, without waiting: empty while S3 accepts the bucket (or has not answered yet), else what
     * is wrong. An answer older than {@code maxAge} is asked again on a thread of its own; until that answers, the
     * last one stands.
     */
    public Optional<String> problem(Duration maxAge) {
        if (answered && System.nanoTime() - answeredAt > maxAge.toNanos() && asking.compareAndSet(false, true)) {
            Thread thread = new Thread(() -> {
                try {
                    answer(ask(client, settings));
                } finally {
                    asking.set(false);
                }
            }, "bulkexport-s3-health");
            thread.setDaemon(true);
            thread.start();
        }
        SinkException failure = lastAnswer;
        return failure == null ? Optional.empty() : Optional.of(failure.getMessage());
    }

    private void answer(SinkException failure) {
        lastAnswer = failure;
        answeredAt = System.nanoTime();
        answered = true;
    }

    /**
     * Returns once S3 has answered, or has been found unreachable (uploads retry then); throws
     * {@link SinkRefusedException}, saying what to fix, if S3 refused. Waits for the check if it is still running.
     */
    public synchronized void requireAccepted() {
        if (outcome == null) {
            SinkException failure = ask(client, settings);
            answer(failure);
            outcome = CompletableFuture.completedFuture(failure);
        }
        SinkException failure;
        try {
            failure = outcome.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the S3 check", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the S3 check failed: " + e.getCause(), e.getCause());
        }
        if (failure instanceof SinkRefusedException refused) {
            outcome = null;
            throw new SinkRefusedException("not submitted, since S3 would refuse its files: " + refused.getMessage());
        }
    }
}
