package io.bulkexport.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

/**
 * The one way the state store's parts talk to the database: a statement with its arguments bound (a null as an
 * untyped NULL, so PostgreSQL infers the column's type), rows read by column name, and a failure as a
 * {@link StateStoreException} that says what could not be done.
 */
final class StateJdbc {
    /** One row of a result, read. */
    interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** Work on one connection, in a transaction of its own when it turns auto-commit off. */
    interface ConnectionWork<T> {
        T on(Connection c) throws Exception;
    }

    private final DataSource dataSource;

    StateJdbc(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    DataSource dataSource() {
        return dataSource;
    }

    <T> List<T> query(String sql, RowReader<T> reader, Object... args) {
        try (Connection c = dataSource.getConnection()) {
            return query(c, sql, reader, args);
        } catch (SQLException e) {
            throw new StateStoreException("cannot read the state database", e);
        }
    }

    static <T> List<T> query(Connection c, String sql, RowReader<T> reader, Object... args) throws SQLException {
        List<T> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(reader.read(rs));
                }
            }
        }
        return rows;
    }

    /** The first row's value, if the query returns a row. */
    <T> Optional<T> first(String sql, RowReader<T> reader, Object... args) {
        return query(sql, reader, args).stream().findFirst();
    }

    int update(String sql, Object... args) {
        try (Connection c = dataSource.getConnection()) {
            return execute(c, sql, args);
        } catch (SQLException e) {
            throw new StateStoreException("cannot update the state database", e);
        }
    }

    /** Runs an INSERT on its own; false when the row is there already (a unique key refused it). */
    boolean insertOnce(String sql, Object... args) {
        try (Connection c = dataSource.getConnection()) {
            execute(c, sql, args);
            return true;
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) { // unique violation, in H2 and PostgreSQL alike
                return false;
            }
            throw new StateStoreException("cannot update the state database", e);
        }
    }

    /** Runs {@code work} on a connection of its own; a SQL failure becomes a {@link StateStoreException}. */
    <T> T withConnection(String doing, ConnectionWork<T> work) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            return work.on(c);
        } catch (SQLException e) {
            throw new StateStoreException("cannot " + doing, e);
        }
    }

    static int execute(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object arg = args[i];
            if (arg == null) {
                ps.setNull(i + 1, Types.NULL); // untyped, so PostgreSQL infers the column type
            } else {
                ps.setObject(i + 1, arg);
            }
        }
    }

    private static final int MESSAGE_LENGTH = 2000;

    /** A message as stored: at most {@value #MESSAGE_LENGTH} characters. */
    static String clip(String message) {
        return message == null || message.length() <= MESSAGE_LENGTH ? message : message.substring(0, MESSAGE_LENGTH);
    }

    /** SQL true when the instance the column names has no live lease, or it names none; one argument: now. */
    static String noLiveLease(String column) {
        return "(" + column + " IS NULL OR " + column + " NOT IN"
                + " (SELECT instance_id FROM bulkexport_instance WHERE lease_until > ?))";
    }

    /** A time column (epoch milliseconds), null when the column is. */
    static Instant instant(ResultSet rs, String column) throws SQLException {
        long millis = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
    }
}
