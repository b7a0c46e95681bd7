package dev.gantry.it;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The separate processes the fault suite breaks: PostgreSQL, an S3 server, and a network namespace for an agent. */
final class FaultParts {
    private FaultParts() {
    }

    /** A PostgreSQL server that no Gantry process runs, on a fixed port and data directory, so it can be restarted. */
    static final class Postgres implements AutoCloseable {
        static final String USER = "gantry";
        static final String PASSWORD = "fault-suite-secret";
        private final Path dataDir;
        private final int port;
        private EmbeddedPostgres server;

        Postgres(Path dataDir) {
            this.dataDir = dataDir;
            this.port = GantryProcess.freePort();
        }

        /** Starts it; the first time, a non-superuser owns the database Gantry uses. */
        synchronized Postgres start() throws IOException {
            boolean fresh = server == null && !Files.exists(dataDir.resolve("PG_VERSION"));
            Path binaries = Path.of(System.getProperty("java.io.tmpdir"), "gantry-test-postgres");
            Files.createDirectories(binaries);
            server = EmbeddedPostgres.builder().setOverrideWorkingDirectory(binaries.toFile())
                    .setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port)
                    .setServerConfig("max_connections", "300").start();
            if (fresh) {
                try (Connection connection = server.getPostgresDatabase().getConnection();
                     Statement statement = connection.createStatement()) {
                    statement.execute("create user " + USER + " createrole password '" + PASSWORD + "'"); // plugin schemas get roles of their own
                    statement.execute("create database gantry owner " + USER);
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot create Gantry's database", e);
                }
            }
            return this;
        }

        /** Stops it (a fast shutdown: every connection is cut, as when the database host restarts). */
        synchronized void stop() throws IOException {
            server.close();
        }

        String url() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/gantry";
        }

        @Override
        public synchronized void close() throws IOException {
            if (server != null) {
                server.close();
            }
        }
    }

    /** s3proxy as its own process, storing objects in a directory, so that it can be stopped and started again. */
    static final class S3 implements AutoCloseable {
        static final String ACCESS_KEY = "fault-suite";
        static final String SECRET_KEY = "fault-suite-secret-key";
        static final String BUCKET = "gantry-faults";
        private final Path dir;
        private final int port;
        private Process process;

        S3(Path dir) throws IOException {
            this.dir = dir;
            this.port = GantryProcess.freePort();
            Files.createDirectories(dir.resolve("objects").resolve(BUCKET));
            Files.writeString(dir.resolve("s3proxy.properties"), String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + dir.resolve("objects"), ""));
        }

        synchronized S3 start() throws IOException, InterruptedException {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                    "org.gaul.s3proxy.Main", "--properties", dir.resolve("s3proxy.properties").toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("s3proxy.log").toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                try (Socket ignored = new Socket("127.0.0.1", port)) {
                    return this;
                } catch (IOException notYet) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("s3proxy exited: " + Files.readString(dir.resolve("s3proxy.log")));
                    }
                    Thread.sleep(100);
                }
            }
            throw new IllegalStateException("s3proxy did not listen on " + port + " within 60 s");
        }

        synchronized void stop() throws InterruptedException {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }

        /** The settings that make a server store artifacts here. */
        List<String> settings() {
            return List.of("artifact.store=s3", "plugin.artifact-store-s3.bucket=" + BUCKET,
                    "plugin.artifact-store-s3.endpoint=http://127.0.0.1:" + port,
                    "plugin.artifact-store-s3.path-style=true", "plugin.artifact-store-s3.access-key-id=" + ACCESS_KEY,
                    "plugin.artifact-store-s3.secret-name=s3-secret-access-key", "plugin.artifact-store-s3.timeout=10s");
        }

        /** How many objects the bucket holds (files under its directory). */
        long objects() throws IOException {
            try (var files = Files.walk(dir.resolve("objects").resolve(BUCKET))) {
                return files.filter(Files::isRegularFile).count();
            }
        }

        @Override
        public synchronized void close() throws InterruptedException {
            if (process != null) {
                stop();
            }
        }
    }

    /**
     * A second host on this machine: a network namespace joined to the host by a veth pair, the host's end at
     * {@link #HOST_ADDRESS}. Cutting the link drops every packet both ways, as a pulled cable does.
     */
    static final class Namespace implements AutoCloseable {
        static final String HOST_ADDRESS = "10.213.0.1";
        private final String name;
        private final String hostEnd;

        Namespace(String name) {
            this.name = name;
            this.hostEnd = name + "-h";
        }

        Namespace create() {
            run("ip", "netns", "del", name); // left over from an interrupted run, if any
            check("ip", "netns", "add", name);
            check("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", name + "-n");
            check("ip", "link", "set", name + "-n", "netns", name);
            check("ip", "addr", "add", HOST_ADDRESS + "/30", "dev", hostEnd);
            check("ip", "link", "set", hostEnd, "up");
            check("ip", "netns", "exec", name, "ip", "addr", "add", "10.213.0.2/30", "dev", name + "-n");
            check("ip", "netns", "exec", name, "ip", "link", "set", name + "-n", "up");
            check("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up");
            return this;
        }

        /** The command prefix that runs a program inside the namespace. */
        List<String> exec() {
            return List.of("ip", "netns", "exec", name);
        }

        void cut() {
            check("ip", "link", "set", hostEnd, "down");
        }

        void restore() {
            check("ip", "link", "set", hostEnd, "up");
        }

        @Override
        public void close() {
            run("ip", "netns", "del", name);
        }

        private static void check(String... command) {
            Result result = run(command);
            if (result.exit() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + result.output());
            }
        }

        private record Result(int exit, String output) {
        }

        private static Result run(String... command) {
            try {
                Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return new Result(-1, "timed out");
                }
                return new Result(process.exitValue(), output);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Polls {@code condition} until it holds; fails with {@code what} when {@code timeout} passes. */
    static void await(Duration timeout, String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(what + " did not happen within " + timeout);
    }
}
