package io.bulkexport.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The two databases the state store runs on, for a test class whose cases run on each ({@code "h2"},
 * {@code "postgresql"}): registered as a static {@code @RegisterExtension} field, it starts one PostgreSQL server from
 * the installed package for the class and stops it after. Each data source is a database of its own. Where PostgreSQL
 * is not installed its cases are skipped, unless BULKEXPORT_REQUIRE_POSTGRES says they must run (CI sets it).
 */
public final class StateDatabases implements BeforeAllCallback, AfterAllCallback {
    private PostgresServer postgres;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        postgres = PostgresServer.startIfInstalled();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    /** The URL of a new, empty database: an H2 file {@code file} (a path without extension), or a PostgreSQL one. */
    public String url(String database, Path file) throws Exception {
        if (database.equals("postgresql")) {
            Assumptions.assumeTrue(postgres != null || System.getenv("BULKEXPORT_REQUIRE_POSTGRES") != null,
                    "PostgreSQL is not installed here");
            assertThat(postgres).as("PostgreSQL required (BULKEXPORT_REQUIRE_POSTGRES) but not installed").isNotNull();
            return postgres.createDatabase("test_" + Long.toHexString(System.nanoTime()));
        }
        assertThat(database).isEqualTo("h2");
        return "jdbc:h2:file:" + file.toAbsolutePath() + ";WRITE_DELAY=0";
    }

    /** A pool of at most {@code connections} on a new, empty database ({@link #url}). */
    public HikariDataSource dataSource(String database, Path file, int connections) throws Exception {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(url(database, file));
        ds.setMaximumPoolSize(connections);
        return ds;
    }
}
