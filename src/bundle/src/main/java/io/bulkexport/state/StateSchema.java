package io.bulkexport.state;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import javax.sql.DataSource;

/**
 * The state database's schema, versioned: each version is a list of statements, applied once, in order, and the
 * version reached is stored in {@code bulkexport_schema}. On PostgreSQL every instance that starts takes one
 * transaction-scoped advisory lock around the whole migration, so instances starting together on an empty database
 * create the tables once (without it, two concurrent {@code CREATE TABLE IF NOT EXISTS} can both try to create the
 * same type and one fails), and a later release's changes are applied by exactly one of them; the DDL is
 * transactional there, so a migration that fails leaves the previous version intact. Embedded H2 serves one
 * process, so a lock in this JVM is enough; its statements are written to be safe to apply again.
 *
 * <p>Why not Flyway or Liquibase: the bundle must run in Karaf too, and flyway-core (11.x) is not an OSGi bundle and
 * finds its database support through {@code ServiceLoader}; Liquibase would bring a dozen bundles for two tables.
 * The statements stay plain enough for both databases.
 *
 * <p>Never change a version that has shipped: add the next one. A database whose version is newer than this
 * release knows is refused, naming both versions.
 */
final class StateSchema {
    /** The advisory lock's key on PostgreSQL: any constant the application does not use for anything else. */
    private static final long LOCK_KEY = 0x62756c6b657870L; // "bulkexp"
    private static final int MESSAGE_LENGTH = 2000;

    private static final List<List<String>> VERSIONS = List.of(
            // 1: runs and their files (what releases before versioning created, so applying it to them is harmless)
            List.of("CREATE TABLE IF NOT EXISTS bulkexport_run ("
                            + " run_id VARCHAR(36) NOT NULL PRIMARY KEY,"
                            + " job_name VARCHAR(200) NOT NULL,"
                            + " provider VARCHAR(100) NOT NULL,"
                            + " status VARCHAR(20) NOT NULL,"
                            + " request_id VARCHAR(200),"
                            + " message VARCHAR(" + MESSAGE_LENGTH + "),"
                            + " created_at BIGINT NOT NULL,"
                            + " submitted_at BIGINT,"
                            + " finished_at BIGINT,"
                            + " next_poll_at BIGINT,"
                            + " poll_interval_ms BIGINT NOT NULL,"
                            + " poll_count INTEGER NOT NULL,"
                            + " updated_at BIGINT NOT NULL)",
                    "ALTER TABLE bulkexport_run ADD COLUMN IF NOT EXISTS destination VARCHAR(1000)",
                    "CREATE INDEX IF NOT EXISTS bulkexport_run_job ON bulkexport_run (job_name, created_at)",
                    "CREATE INDEX IF NOT EXISTS bulkexport_run_status ON bulkexport_run (status, next_poll_at)",
                    "CREATE TABLE IF NOT EXISTS bulkexport_file ("
                            + " run_id VARCHAR(36) NOT NULL,"
                            + " file_name VARCHAR(1000) NOT NULL,"
                            + " position INTEGER NOT NULL,"
                            + " status VARCHAR(20) NOT NULL,"
                            + " records BIGINT NOT NULL,"
                            + " bytes BIGINT NOT NULL,"
                            + " quarantined BIGINT NOT NULL,"
                            + " sha256 VARCHAR(64),"
                            + " output_path VARCHAR(2000),"
                            + " attempts INTEGER NOT NULL,"
                            + " message VARCHAR(" + MESSAGE_LENGTH + "),"
                            + " updated_at BIGINT NOT NULL,"
                            + " PRIMARY KEY (run_id, file_name))"),
            // 2: the secret part of the URL a vendor calls when the request is ready (webhooks), per run
            List.of("ALTER TABLE bulkexport_run ADD COLUMN IF NOT EXISTS webhook_token VARCHAR(100)",
                    "CREATE UNIQUE INDEX IF NOT EXISTS bulkexport_run_webhook ON bulkexport_run (webhook_token)"),
            // 3: instances sharing the database, each with a lease it renews, and the instance driving each run
            List.of("CREATE TABLE IF NOT EXISTS bulkexport_instance ("
                            + " instance_id VARCHAR(200) NOT NULL PRIMARY KEY,"
                            + " started_at BIGINT NOT NULL,"
                            + " lease_until BIGINT NOT NULL)",
                    "ALTER TABLE bulkexport_run ADD COLUMN IF NOT EXISTS owner VARCHAR(200)",
                    // when the run's last status check was claimed: webhook calls wait a gap after it
                    "ALTER TABLE bulkexport_run ADD COLUMN IF NOT EXISTS checked_at BIGINT",
                    // the instance fetching a file: files of one run are shared out among instances
                    "ALTER TABLE bulkexport_file ADD COLUMN IF NOT EXISTS claimed_by VARCHAR(200)",
                    // one row per job, locked while a run of it is started, so two instances never start two
                    "CREATE TABLE IF NOT EXISTS bulkexport_job (job_name VARCHAR(200) NOT NULL PRIMARY KEY)",
                    // each firing of a recurring job's schedule, claimed by the one instance that acts on it
                    "CREATE TABLE IF NOT EXISTS bulkexport_firing ("
                            + " job_name VARCHAR(200) NOT NULL,"
                            + " fired_at BIGINT NOT NULL,"
                            + " instance_id VARCHAR(200),"
                            + " PRIMARY KEY (job_name, fired_at))"),
            // 4: when each instance last began counting the live ones, so that one joining knows it has been counted
            List.of("ALTER TABLE bulkexport_instance ADD COLUMN IF NOT EXISTS counted_at BIGINT"),
            // 5: the fencing token of a file's claim, raised by every (re)claim: only the attempt made under the
            // latest claim may land the file
            List.of("ALTER TABLE bulkexport_file ADD COLUMN IF NOT EXISTS claim_epoch BIGINT DEFAULT 0 NOT NULL"),
            // 6: spend control. The records a run may buy (then, once DONE, those it delivered), counted against
            // budgets whose rows are locked while a submission is checked; the credit balance a vendor last
            // reported; and each job's incremental cursor (the start of its last DONE run) with the reset last
            // applied to it
            List.of("ALTER TABLE bulkexport_run ADD COLUMN IF NOT EXISTS budget_records BIGINT",
                    "CREATE INDEX IF NOT EXISTS bulkexport_run_created ON bulkexport_run (created_at)",
                    "CREATE TABLE IF NOT EXISTS bulkexport_budget (scope VARCHAR(100) NOT NULL PRIMARY KEY)",
                    "CREATE TABLE IF NOT EXISTS bulkexport_credits ("
                            + " provider VARCHAR(100) NOT NULL PRIMARY KEY,"
                            + " credits BIGINT NOT NULL,"
                            + " seen_at BIGINT NOT NULL)",
                    "ALTER TABLE bulkexport_job ADD COLUMN IF NOT EXISTS since_at BIGINT",
                    "ALTER TABLE bulkexport_job ADD COLUMN IF NOT EXISTS since_reset VARCHAR(100)"),
            // 7: landed events for the hook routes, kept with what they tell of (an outbox in the ledger): a file's
            // or a run's event is due from hook_at, set in the transaction that lands the file or ends the run DONE,
            // and cleared once delivered; files and runs that landed before this version have none
            List.of("ALTER TABLE bulkexport_file ADD COLUMN IF NOT EXISTS hook_at BIGINT",
                    "ALTER TABLE bulkexport_file ADD COLUMN IF NOT EXISTS hook_attempts INTEGER DEFAULT 0 NOT NULL",
                    "ALTER TABLE bulkexport_run ADD COLUMN IF NOT EXISTS hook_at BIGINT",
                    "ALTER TABLE bulkexport_run ADD COLUMN IF NOT EXISTS hook_attempts INTEGER DEFAULT 0 NOT NULL",
                    // the instance delivering an event: a dead one's claim is due again at once
                    "ALTER TABLE bulkexport_file ADD COLUMN IF NOT EXISTS hook_by VARCHAR(200)",
                    "ALTER TABLE bulkexport_run ADD COLUMN IF NOT EXISTS hook_by VARCHAR(200)",
                    "CREATE INDEX IF NOT EXISTS bulkexport_file_hook ON bulkexport_file (hook_at)",
                    "CREATE INDEX IF NOT EXISTS bulkexport_run_hook ON bulkexport_run (hook_at)",
                    // the folder a run's files land in under the sink's root (bulkexport.layout), fixed when its
                    // download starts; the runs before had the one layout there was
                    "ALTER TABLE bulkexport_run ADD COLUMN IF NOT EXISTS folder VARCHAR(1000)",
                    "UPDATE bulkexport_run SET folder = job_name || '/' || request_id WHERE folder IS NULL"
                            + " AND request_id IS NOT NULL"));

    /** The schema version this release writes. */
    static final int CURRENT = VERSIONS.size();

    private StateSchema() {
    }

    static void migrate(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            if ("PostgreSQL".equals(c.getMetaData().getDatabaseProductName())) {
                migrate(c, true);
            } else {
                synchronized (StateSchema.class) {
                    migrate(c, false);
                }
            }
        } catch (SQLException e) {
            throw new StateStoreException("cannot create or upgrade the state tables", e);
        }
    }

    private static void migrate(Connection c, boolean postgres) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            if (postgres) {
                s.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")"); // released at commit or rollback
            }
            s.execute("CREATE TABLE IF NOT EXISTS bulkexport_schema (version INTEGER NOT NULL)");
            int version = version(s);
            if (version > CURRENT) {
                throw new StateStoreException("the state database has schema version " + version + ", newer than"
                        + " this release's " + CURRENT + ": upgrade bulk-export, or point bulkexport.state.url at"
                        + " another database");
            }
            for (int next = version + 1; next <= CURRENT; next++) {
                for (String statement : VERSIONS.get(next - 1)) {
                    s.execute(statement);
                }
            }
            if (version == 0) {
                s.execute("INSERT INTO bulkexport_schema (version) VALUES (" + CURRENT + ")");
            } else if (version < CURRENT) {
                s.execute("UPDATE bulkexport_schema SET version = " + CURRENT);
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /** The version reached, 0 for a database without one (empty, or made before versions were recorded). */
    static int version(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT MAX(version) FROM bulkexport_schema")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }
}
