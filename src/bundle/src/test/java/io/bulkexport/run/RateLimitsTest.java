package io.bulkexport.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class RateLimitsTest {
    private static final long WINDOW_MILLIS = 200;

    /** A call as the vendor could see it: it may arrive at any moment between being let through and answered. */
    private record Call(long start, long end) {
    }

    @Test
    void calls_that_could_arrive_within_one_window_never_exceed_the_rate() throws Exception {
        int rate = 5;
        RateLimits limits = alone();
        // 12 callers at once, each call taking 0 to 300 ms: longer than the window, as slow answers are
        List<Call> calls = run(limits, rate, 12, 8, 300);

        assertThat(calls).hasSize(12 * 8);
        assertThat(mostWithinOneWindow(calls)).as("calls that could have arrived within one window")
                .isLessThanOrEqualTo(rate);
    }

    @Test
    void quick_calls_in_parallel_use_the_whole_rate() throws Exception {
        int rate = 6;
        RateLimits limits = alone();
        List<Call> calls = run(limits, rate, 10, 6, 0);

        // calls answered at once free their permits a window later: the rate is reached, and not passed
        assertThat(mostWithinOneWindow(calls)).isEqualTo(rate);
    }

    @Test
    void limits_with_different_names_count_apart() throws Exception {
        RateLimits limits = alone();
        limits.acquire("a", 1);
        long before = System.nanoTime();
        limits.acquire("b", 1);
        assertThat(System.nanoTime() - before).as("b waits for nothing a holds")
                .isLessThan(TimeUnit.MILLISECONDS.toNanos(WINDOW_MILLIS / 2));
        limits.done("a");
        limits.done("b");
    }

    @Test
    void a_permit_given_back_unused_does_not_count() throws Exception {
        RateLimits limits = alone();
        limits.acquire("vendor", 1);
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(RunExchange.RATE_PERMIT, "vendor");
        limits.release(exchange);
        assertThat(exchange.getProperty(RunExchange.RATE_PERMIT)).isNull();

        long before = System.nanoTime();
        limits.acquire("vendor", 1);
        assertThat(System.nanoTime() - before).as("the next call waits for nothing")
                .isLessThan(TimeUnit.MILLISECONDS.toNanos(WINDOW_MILLIS / 2));
        limits.done("vendor");
        before = System.nanoTime();
        limits.acquire("vendor", 1);
        assertThat(System.nanoTime() - before).as("a used permit counts for a window after its call")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(WINDOW_MILLIS - 5));
    }

    /** The limits of an instance alone: its share is the whole rate. */
    private static RateLimits alone() {
        return new RateLimits(new Instances(null, "test", Duration.ofSeconds(10), true), Duration.ofMillis(WINDOW_MILLIS));
    }

    private static List<Call> run(RateLimits limits, int rate, int callers, int callsEach, int maxMillis)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<List<Call>>> futures = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                Random random = new Random(c);
                futures.add(pool.submit(() -> {
                    List<Call> made = new ArrayList<>();
                    for (int i = 0; i < callsEach; i++) {
                        limits.acquire("vendor", rate);
                        long start = System.nanoTime();
                        if (maxMillis > 0) {
                            Thread.sleep(random.nextInt(maxMillis));
                        }
                        made.add(new Call(start, System.nanoTime()));
                        limits.done("vendor");
                    }
                    return made;
                }));
            }
            List<Call> calls = new ArrayList<>();
            for (Future<List<Call>> future : futures) {
                calls.addAll(future.get(60, TimeUnit.SECONDS));
            }
            return calls;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The most calls whose time between let through and answered meets one window [t, t + window). */
    private static int mostWithinOneWindow(List<Call> calls) {
        long window = TimeUnit.MILLISECONDS.toNanos(WINDOW_MILLIS);
        int most = 0;
        for (Call from : calls) {
            // the busiest window begins as some call ends (or starts): try both
            for (long t : new long[] {from.start(), from.end()}) {
                int meeting = 0;
                for (Call call : calls) {
                    if (call.start() < t + window && call.end() >= t) {
                        meeting++;
                    }
                }
                most = Math.max(most, meeting);
            }
        }
        return most;
    }
}
