package dev.gantry.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The separate processes the fault suite breaks: PostgreSQL, an S3 server, and a network namespace for an agent. */
final class FaultParts {
    private FaultParts() {
    }

    /** Whether the tests run as root, which mounting, network namespaces and running PostgreSQL as postgres need. */
    static boolean runningAsRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    /** Mounts a tmpfs of {@code size} (e.g. "48m") on {@code dir}: a small disk to fill up. Needs root. */
    static void mountTmpfs(Path dir, String size) throws IOException, InterruptedException {
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (mount.waitFor() != 0) {
            throw new IOException("cannot mount a tmpfs on " + dir + ": " + output);
        }
    }

    /** Unmounts {@code dir} (lazily: whatever still holds it open lets go in its own time). */
    static void unmount(Path dir) throws IOException, InterruptedException {
        new ProcessBuilder("umount", "-l", dir.toString()).redirectErrorStream(true).start().waitFor();
    }

    /**
     * Debian's PostgreSQL server (package {@code postgresql}, which scripts/test installs), run from its binaries with
     * a data directory and a fixed port of its own, so that it can be stopped and started again as a database host
     * would be. PostgreSQL refuses to run as root: when the tests do, it runs as Debian's {@code postgres} user.
     */
    static final class Postgres implements AutoCloseable {
        static final String USER = "gantry";
        static final String PASSWORD = "fault-suite-secret";
        private static final Path DEBIAN_BINARIES = Path.of("/usr/lib/postgresql");
        private final Path bin;
        private final Path home;
        private final Path dataDir;
        private final int port;
        private boolean running;

        Postgres() throws IOException {
            this.bin = debianBinaries();
            this.port = GantryProcess.freePort();
            // outside the tests' own temporary directories, which only root may enter
            this.home = Files.createTempDirectory("gantry-fault-postgres-");
            this.dataDir = home.resolve("data");
            if (runningAsRoot()) {
                UserPrincipalLookupService users = home.getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(home, users.lookupPrincipalByName("postgres"));
                Files.getFileAttributeView(home, PosixFileAttributeView.class)
                        .setGroup(users.lookupPrincipalByGroupName("postgres"));
            }
            run("initdb", List.of("-D", dataDir.toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--locale=C", "--no-sync"));
        }

        /** Starts it; the first time, a non-superuser owns the database Gantry uses. */
        synchronized Postgres start() throws IOException {
            boolean fresh = !Files.exists(home.resolve("created"));
            run("pg_ctl", List.of("-D", dataDir.toString(), "-l", home.resolve("server.log").toString(), "-w", "-t", "60",
                    "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + home
                            + " -c max_connections=300", "start"));
            running = true;
            if (fresh) {
                try (Connection connection = DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
                     Statement statement = connection.createStatement()) {
                    statement.execute("create user " + USER + " createrole password '" + PASSWORD + "'"); // plugin schemas get roles of their own
                    statement.execute("create database gantry owner " + USER);
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot create Gantry's database", e);
                }
                Files.createFile(home.resolve("created"));
            }
            return this;
        }

        /** Stops it (a fast shutdown: every connection is cut, as when the database host restarts). */
        synchronized void stop() throws IOException {
            run("pg_ctl", List.of("-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60", "stop"));
            running = false;
        }

        String url() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/gantry";
        }

        @Override
        public synchronized void close() throws IOException {
            if (running) {
                stop();
            }
            try (Stream<Path> tree = Files.walk(home)) {
                for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }

        /** The newest PostgreSQL version's binaries that Debian's packages installed. */
        private static Path debianBinaries() throws IOException {
            if (Files.isDirectory(DEBIAN_BINARIES)) {
                try (Stream<Path> versions = Files.list(DEBIAN_BINARIES)) {
                    Optional<Path> newest = versions.map(version -> version.resolve("bin"))
                            .filter(bin -> Files.isExecutable(bin.resolve("pg_ctl")))
                            .max(Comparator.comparingInt(bin -> Integer.parseInt(
                                    bin.getParent().getFileName().toString().replaceAll("\\D", "0"))));
                    if (newest.isPresent()) {
                        return newest.get();
                    }
                }
            }
            throw new IllegalStateException("the fault suite runs Debian's PostgreSQL server, which is not installed: "
                    + "apt-get install postgresql (scripts/test does)");
        }

        /** Runs one of PostgreSQL's programs (as postgres when the tests run as root); fails with its output. */
        private void run(String program, List<String> arguments) throws IOException {
            List<String> command = new ArrayList<>();
            if (runningAsRoot()) {
                command.addAll(List.of("runuser", "-u", "postgres", "--"));
            }
            command.add(bin.resolve(program).toString());
            command.addAll(arguments);
            Path output = home.resolve(program + ".out");
            Process process = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            try {
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IOException(program + " did not finish within 2 minutes: " + Files.readString(output));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while " + program + " ran", e);
            }
            if (process.exitValue() != 0) {
                String log = Files.exists(home.resolve("server.log")) ? Files.readString(home.resolve("server.log")) : "";
                throw new IOException(String.join(" ", command) + " exited with " + process.exitValue() + ": "
                        + Files.readString(output) + log);
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
