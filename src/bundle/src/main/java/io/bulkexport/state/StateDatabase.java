package io.bulkexport.state;

import java.util.Locale;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.bulkexport.config.ConfigurationException;
import io.bulkexport.config.Settings;

/** Opens the state database the settings name: embedded H2 (the default), PostgreSQL, or any JDBC URL. */
public final class StateDatabase {
    private StateDatabase() {
    }


    /** True for embedded H2, which one process opens at a time (not H2's server or auto-server modes). */
    public static boolean isEmbedded(Settings settings) {
        String url = settings.text("bulkexport.state.url").toLowerCase(Locale.ROOT);
        return url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:h2:tcp:") && !url.startsWith("jdbc:h2:ssl:")
                && !url.contains("auto_server=true");
    }

    /**
     * The pool over {@code bulkexport.state.url} (user, password, pool size and connection timeout from
     * {@code bulkexport.state.*}).
     *
     * @param existingOnly for a reader (the status command): an embedded H2 file that does not exist is not created
     */
    public static HikariDataSource open(Settings settings, boolean existingOnly) {
        String url = settings.text("bulkexport.state.url");
        if (url.startsWith("jdbc:h2:") && !url.toUpperCase(Locale.ROOT).contains("DB_CLOSE_ON_EXIT")) {
            // H2 would close the database from its own shutdown hook, while a graceful stop (SIGTERM) is still
            // finishing files and recording them: it is closed when Camel has stopped the routes
            url = url + ";DB_CLOSE_ON_EXIT=FALSE";
        }
        if (existingOnly && url.startsWith("jdbc:h2:") && !url.toUpperCase(Locale.ROOT).contains("IFEXISTS")) {
            url = url + ";IFEXISTS=TRUE";
        }
        HikariConfig config = new HikariConfig();
        String user = settings.optional("bulkexport.state.user").orElse(null);
        String password = settings.optional("bulkexport.state.password").orElse(null);
        // The two databases the bundle ships drivers for are handed to the pool as data sources, not found by URL:
        // java.sql.DriverManager cannot see a driver in another OSGi bundle (Karaf)
        if (url.startsWith("jdbc:h2:")) {
            org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
            h2.setURL(url);
            if (user != null) {
                h2.setUser(user);
            }
            if (password != null) {
                h2.setPassword(password);
            }
            config.setDataSource(h2);
        } else if (url.startsWith("jdbc:postgresql:")) {
            org.postgresql.ds.PGSimpleDataSource postgres = new org.postgresql.ds.PGSimpleDataSource();
            postgres.setURL(url);
            if (user != null) {
                postgres.setUser(user);
            }
            if (password != null) {
                postgres.setPassword(password);
            }
            config.setDataSource(postgres);
        } else {
            config.setJdbcUrl(url);
            config.setUsername(user);
            config.setPassword(password);
        }
        config.setMaximumPoolSize((int) settings.whole("bulkexport.state.pool-size", 1));
        // how long a step (or a health probe) waits for a connection before it is told the database does not answer
        config.setConnectionTimeout(Math.max(250, settings.whole("bulkexport.state.connect-timeout-millis", 0)));
        config.setPoolName("bulkexport-state");
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            String said = String.valueOf(root.getMessage()).lines().findFirst().orElse("");
            String lower = said.toLowerCase(Locale.ROOT);
            String what = "cannot open the state database (bulkexport.state.url): " + said;
            if (url.startsWith("jdbc:h2:") && lower.contains("locked")) {
                throw new HeldByAnotherProcess(what + " — embedded H2 serves one process, and another one has it"
                        + " open: stop that one, or point bulkexport.state.url of every instance at one PostgreSQL"
                        + " database to run several");
            }
            if (existingOnly && url.startsWith("jdbc:h2:") && lower.contains("ifexists")) {
                throw new Missing(what);
            }
            throw new ConfigurationException(what + " — " + hint(root, lower));
        }
    }

    /** What to check, from the driver's failure (PostgreSQL's SQLSTATE where it gives one). */
    private static String hint(Throwable root, String said) {
        String state = root instanceof java.sql.SQLException sql ? String.valueOf(sql.getSQLState()) : "";
        if (state.equals("28P01") || state.equals("28000") || said.contains("password authentication failed")) {
            return "the database refused the user or password: check bulkexport.state.user and"
                    + " bulkexport.state.password";
        }
        if (state.equals("3D000") || said.contains("does not exist")) {
            return "create that database first, or point bulkexport.state.url at one that exists";
        }
        if (state.startsWith("08") || root instanceof java.net.ConnectException || said.contains("connection refused")) {
            return "nothing answers at that address: is the database server running and reachable?";
        }
        return "check bulkexport.state.url, .user and .password";
    }

    /** Embedded H2's file is open in another process (H2 allows one). */
    public static final class HeldByAnotherProcess extends ConfigurationException {
        HeldByAnotherProcess(String message) {
            super(message);
        }
    }

    /** A reader asked for an embedded database that does not exist (nothing has run yet). */
    public static final class Missing extends ConfigurationException {
        Missing(String message) {
            super(message);
        }
    }
}
