package io.bulkexport.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import io.bulkexport.state.StateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each instance's share of a provider's rate limit, and the wait of one that joins others until they count it. */
class InstancesTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void should_take_the_whole_limit_alone_and_its_share_among_others_once_they_have_counted_it() throws Exception {
        try (HikariDataSource ds = dataSource()) {
            Instances first = instance(ds, "a", LEASE);
            long started = System.nanoTime();
            assertThat(first.share(27)).isEqualTo(27);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("alone: no wait").isLessThan(Duration.ofMillis(100));
            assertThat(first.calling()).isTrue();

            Instances second = instance(ds, "b", LEASE);
            Instances third = instance(ds, "c", LEASE);
            assertThat(third.calling()).as("joined, not counted by the first and second yet").isFalse();
            CompletableFuture<Long> thirdsShare = CompletableFuture.supplyAsync(() -> third.share(27));
            Thread.sleep(600);
            assertThat(thirdsShare).as("a joining instance's call waits while the others do not know of it").isNotDone();
            assertThat(first.share(27)).as("until it counts again, the first still takes it all").isEqualTo(27);

            first.heartbeat();
            assertThat(second.calling()).as("the second was counted by the first now, and by the third at its start")
                    .isTrue();
            Thread.sleep(400);
            assertThat(thirdsShare).as("the second has not counted the third yet").isNotDone();
            second.heartbeat();
            assertThat(thirdsShare.get(5, TimeUnit.SECONDS)).isEqualTo(9);
            assertThat(first.share(27)).isEqualTo(9);
            assertThat(first.share(2)).as("at least one call a second").isEqualTo(1);

            third.release();
            first.heartbeat();
            assertThat(first.share(27)).as("a stopped instance's share goes to the others").isEqualTo(13);
        }
    }

    @Test
    void should_let_a_joiner_call_only_once_the_calls_under_the_old_share_are_out_of_their_window() throws Exception {
        Duration window = Duration.ofMillis(800);
        try (HikariDataSource ds = dataSource()) {
            Instances first = instance(ds, "a", LEASE);
            RateLimits limits = new RateLimits(first, window);
            first.sharesHeldBy(limits);
            for (int i = 0; i < 6; i++) { // alone, the whole rate, answered just now
                limits.acquire("vendor", 6);
                limits.done("vendor");
            }
            long answered = System.nanoTime();
            Instances second = instance(ds, "b", LEASE);
            CompletableFuture<Long> secondsFirstCall = CompletableFuture.supplyAsync(() -> {
                second.share(6);
                return System.nanoTime();
            });

            Thread.sleep(5); // a count that begins after the registration by the clock (a count in the same
            // millisecond is not taken to have seen it: the joiner waits for the next one)
            first.heartbeat(); // counts two: its share is 3 now, but its 6 calls count for a window more
            assertThat(Duration.ofNanos(System.nanoTime() - answered)).as("the count is recorded after the window")
                    .isGreaterThanOrEqualTo(window.minusMillis(5));
            assertThat(Duration.ofNanos(secondsFirstCall.get(5, TimeUnit.SECONDS) - answered))
                    .as("the joiner's first call").isGreaterThanOrEqualTo(window.minusMillis(5));
            assertThat(first.share(6)).isEqualTo(3);

            second.release();
            first.heartbeat();
            assertThat(first.share(6)).as("a stopped instance's last calls may still count at the vendor")
                    .isEqualTo(3);
            Thread.sleep(window.toMillis() + 100);
            first.heartbeat();
            assertThat(first.share(6)).as("a window after it stopped, its share goes to the others").isEqualTo(6);
        }
    }

    @Test
    void should_stop_waiting_after_a_lease_for_an_instance_that_never_counts() throws Exception {
        try (HikariDataSource ds = dataSource()) {
            instance(ds, "silent", LEASE); // registered, and then never renews its lease nor counts
            Instances joiner = instance(ds, "joiner", Duration.ofSeconds(2));
            long started = System.nanoTime();
            assertThat(joiner.share(27)).isEqualTo(13);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(1500),
                    Duration.ofSeconds(4));
        }
    }

    private HikariDataSource dataSource() {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl("jdbc:h2:file:" + dir.resolve("state").toAbsolutePath());
        new StateStore(ds, Clock.systemUTC(), "migrate").migrate();
        return ds;
    }

    private static Instances instance(HikariDataSource ds, String id, Duration lease) throws InterruptedException {
        Thread.sleep(2); // registrations a few milliseconds apart, as processes are
        Instances instance = new Instances(new StateStore(ds, Clock.systemUTC(), id), id, lease, false);
        instance.register();
        return instance;
    }
}
