package dev.gantry.server.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server per test JVM; every test server gets a fresh database of its own, so tests never see
 * each other's rows and each starts from empty migrations.
 */
public final class TestPostgres {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestPostgres() {
    }

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                Path binaries = Path.of(System.getProperty("java.io.tmpdir"), "gantry-test-postgres");
                Files.createDirectories(binaries);
                server = EmbeddedPostgres.builder().setOverrideWorkingDirectory(binaries.toFile())
                        .setServerConfig("max_connections", "300").start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
        }
        return server;
    }

    /** Creates an empty database and returns its JDBC URL (user {@code postgres}, no password). */
    public static String newDatabase() {
        String name = "gantry_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try (Connection connection = server().getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return "jdbc:postgresql://localhost:" + server().getPort() + "/" + name;
    }
}
