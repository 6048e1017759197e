package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.Test;


/** The log filter drops what names a guarded value, at any level, and leaves level checks as they were. */
class SecretLogGuardTest {
    private static final String SECRET = "guarded-" + Long.toHexString(System.nanoTime());
    private static final Logger LOG = LogManager.getLogger("io.bulkexport.guardtest");

    @Test
    void drops_events_naming_the_secret_at_every_level_the_logger_writes() {
        SecretLogGuard.guard(SECRET);
        for (Level level : new Level[] {Level.INFO, Level.DEBUG, Level.TRACE}) {
            try (LogCapture logs = new LogCapture(level)) {
                LOG.log(level, "plain {}", level);
                LOG.log(level, "header apikey: " + SECRET);
                LOG.log(level, "header apikey: {}", SECRET);
                LOG.log(level, "failed", new IllegalStateException("refused " + SECRET));
                assertThat(logs.text()).contains("plain " + level).doesNotContain(SECRET).doesNotContain("failed");
                assertThat(LOG.isEnabled(level)).isTrue();
            }
        }
    }

    @Test
    void level_checks_still_follow_the_logger_level() {
        SecretLogGuard.guard(SECRET);
        try (LogCapture logs = new LogCapture(Level.INFO)) {
            assertThat(LOG.isDebugEnabled()).isFalse();
            assertThat(LOG.isTraceEnabled()).isFalse();
            assertThat(LOG.isInfoEnabled()).isTrue();
            LOG.debug("not written {}", 1);
            LOG.info("written {}", 2);
            assertThat(logs.text()).contains("written 2").doesNotContain("not written");
        }
    }
}
