package io.bulkexport.state;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL cluster for a test: initdb into a temporary folder and pg_ctl start on a free loopback
 * port, from the Debian postgresql package's binaries. As root, the server runs as the postgres user. Other modules'
 * tests use it too (the bundle's test jar).
 */
public final class PostgresServer implements AutoCloseable {
    private final Path bin;
    private final Path data;
    private final int port;
    private final boolean root;

    private PostgresServer(Path bin, Path data, int port, boolean root) {
        this.bin = bin;
        this.data = data;
        this.port = port;
        this.root = root;
    }

    /** The binaries of the newest installed PostgreSQL, if any. */
    public static Optional<Path> binaries() {
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(base)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Path::compareTo);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * A server from the installed package, for a test class; null where none is installed (the test then skips its
     * PostgreSQL cases, unless BULKEXPORT_REQUIRE_POSTGRES says they must run).
     */
    public static PostgresServer startIfInstalled() throws Exception {
        Optional<Path> bin = binaries();
        return bin.isPresent() ? start(bin.get()) : null;
    }

    public static PostgresServer start(Path bin) throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path data = Files.createTempDirectory("bulkexport-pg");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        PostgresServer server = new PostgresServer(bin, data, port, root);
        if (root) {
            run(List.of("chown", "-R", "postgres:postgres", data.toString()));
        }
        server.asServerUser(bin.resolve("initdb").toString(), "-D", data.resolve("db").toString(), "-A", "trust",
                "-U", "postgres", "--no-sync");
        server.resume();
        return server;
    }

    /** Stops the server (its data kept), as a crash or an operator would: clients see their connections break. */
    public void pause() throws Exception {
        asServerUser(bin.resolve("pg_ctl").toString(), "-D", data.resolve("db").toString(), "-m", "immediate", "-w",
                "stop");
    }

    /** Starts the server (again) on its port, with its data. */
    public void resume() throws Exception {
        asServerUser(bin.resolve("pg_ctl").toString(), "-D", data.resolve("db").toString(), "-o",
                "-p " + port + " -k " + data + " -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "-l",
                data.resolve("server.log").toString(), "start");
    }

    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    /** Creates an empty database on this server; returns its URL. */
    public String createDatabase(String name) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(jdbcUrl());
             java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return jdbcUrl(name);
    }

    private String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    @Override
    public void close() throws Exception {
        asServerUser(bin.resolve("pg_ctl").toString(), "-D", data.resolve("db").toString(), "-m", "immediate", "stop");
        run(List.of("rm", "-rf", data.toString()));
    }

    private void asServerUser(String... command) throws Exception {
        List<String> full = new ArrayList<>();
        if (root) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(command));
        run(full);
    }

    private static void run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }
}
