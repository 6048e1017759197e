package io.bulkexport.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import com.zaxxer.hikari.HikariDataSource;
import io.bulkexport.state.StateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each instance's share of a provider's rate limit, and the pause of one that joins others. */
class InstancesTest {
    @TempDir
    Path dir;

    @Test
    void should_take_the_whole_limit_alone_and_its_share_among_others_after_a_pause_to_be_counted() throws Exception {
        try (HikariDataSource ds = new HikariDataSource()) {
            ds.setJdbcUrl("jdbc:h2:file:" + dir.resolve("state").toAbsolutePath());
            Duration heartbeat = Duration.ofMillis(200);
            StateStore a = new StateStore(ds, Clock.systemUTC(), "a");
            a.migrate();
            Instances first = new Instances(a, "a", Duration.ofSeconds(30), false, heartbeat);
            first.register();
            long started = System.nanoTime();
            assertThat(first.share(27)).isEqualTo(27);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("alone: no pause").isLessThan(heartbeat);

            Instances second = new Instances(new StateStore(ds, Clock.systemUTC(), "b"), "b", Duration.ofSeconds(30),
                    false, heartbeat);
            second.register();
            Instances third = new Instances(new StateStore(ds, Clock.systemUTC(), "c"), "c", Duration.ofSeconds(30),
                    false, heartbeat);
            third.register();
            started = System.nanoTime();
            assertThat(third.share(27)).isEqualTo(9);
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .as("a joining instance waits until the others have counted it").isGreaterThan(heartbeat);
            assertThat(first.share(27)).as("until its heartbeat, the first still takes it all").isEqualTo(27);
            first.heartbeat();
            assertThat(first.share(27)).isEqualTo(9);
            assertThat(first.share(2)).as("at least one call a second").isEqualTo(1);

            third.release();
            first.heartbeat();
            assertThat(first.share(27)).as("a stopped instance's share goes to the others").isEqualTo(13);
        }
    }
}
