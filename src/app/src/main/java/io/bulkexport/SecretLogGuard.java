package io.bulkexport;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Marker;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.filter.AbstractFilter;
import org.apache.logging.log4j.message.Message;

/**
 * The last line of defence for credentials in logs: a Log4j filter, on the whole logging configuration, that drops
 * any event whose message or exception text holds a credential's value. The shipped configuration already keeps
 * the loggers that could print one (HTTP client headers, property resolution) above DEBUG; this catches a
 * configuration that turns them on anyway. Without Log4j (an embedding runtime with its own logging) it does nothing.
 */
public final class SecretLogGuard extends AbstractFilter {
    private static final Set<String> SECRETS = new CopyOnWriteArraySet<>();
    private static volatile boolean installed;

    private SecretLogGuard() {
        super(Filter.Result.NEUTRAL, Filter.Result.DENY);
    }

    /** Starts guarding a credential's value (values shorter than 6 characters would match too much to guard). */
    public static void guard(String secret) {
        if (secret != null && secret.length() >= 6) {
            SECRETS.add(secret);
            install();
        }
    }

    private static synchronized void install() {
        if (installed) {
            return;
        }
        try {
            if (LogManager.getContext(false) instanceof LoggerContext context) {
                SecretLogGuard guard = new SecretLogGuard();
                guard.start();
                context.getConfiguration().addFilter(guard);
                context.updateLoggers();
                installed = true;
            }
        } catch (LinkageError | RuntimeException notLog4j) {
            // another logging backend: nothing to install
        }
    }

    // A configuration filter is asked before the event exists (pattern and parameters), and again for events. It is
    // also asked by every isDebugEnabled()-style check: a level the logger would drop anyway is let through untouched
    // (the level check drops it), so that those checks stay cheap.

    @Override
    public Result filter(Logger logger, Level level, Marker marker, String msg, Object... params) {
        if (belowThreshold(logger, level)) {
            return Result.NEUTRAL;
        }
        if (mentions(msg)) {
            return Result.DENY;
        }
        if (params != null) {
            for (Object param : params) {
                if (param instanceof Throwable t ? thrownMentions(t) : param != null && mentions(param.toString())) {
                    return Result.DENY;
                }
            }
        }
        return Result.NEUTRAL;
    }

    @Override
    public Result filter(Logger logger, Level level, Marker marker, Object msg, Throwable t) {
        if (belowThreshold(logger, level)) {
            return Result.NEUTRAL;
        }
        return msg != null && mentions(msg.toString()) || thrownMentions(t) ? Result.DENY : Result.NEUTRAL;
    }

    @Override
    public Result filter(Logger logger, Level level, Marker marker, Message msg, Throwable t) {
        if (belowThreshold(logger, level)) {
            return Result.NEUTRAL;
        }
        return msg != null && mentions(msg.getFormattedMessage()) || thrownMentions(t) ? Result.DENY : Result.NEUTRAL;
    }

    @Override
    public Result filter(LogEvent event) {
        Message message = event.getMessage();
        return message != null && mentions(message.getFormattedMessage()) || thrownMentions(event.getThrown())
                ? Result.DENY : Result.NEUTRAL;
    }

    /** True if the logger's own level drops an event at {@code level} whatever this filter says. */
    private static boolean belowThreshold(Logger logger, Level level) {
        Level threshold = logger.getLevel();
        return level != null && threshold != null && !level.isMoreSpecificThan(threshold);
    }

    private static boolean mentions(String text) {
        if (text == null) {
            return false;
        }
        for (String secret : SECRETS) {
            if (text.contains(secret)) {
                return true;
            }
        }
        return false;
    }

    private static boolean thrownMentions(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (mentions(t.getMessage())) {
                return true;
            }
        }
        return false;
    }
}
