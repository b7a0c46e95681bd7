package dev.gantry.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code bin/gantry server} of the unpacked distribution, run as a real operating-system process with its own data
 * directory and a port of its own. Its stdout and stderr go to files beside the data directory so a failure can show
 * them. {@link #close()} always leaves no process behind: the server (SIGTERM, then SIGKILL) and any PostgreSQL it
 * started on its data directory.
 */
final class GantryProcess implements AutoCloseable {
    /** The token the first admin is created with (GANTRY_BOOTSTRAP_TOKEN). */
    static final String ADMIN_TOKEN = "gty_it-admin-token-0123456789abcdef";

    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    private final Process process;
    private final Path dataDir;
    private final Path stdout;
    private final Path stderr;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    /** PostgreSQL processes seen on this data directory while the server ran: killed by {@link #close()} if left. */
    private final Set<ProcessHandle> postgresSeen = new LinkedHashSet<>();

    private GantryProcess(Process process, Path dataDir, Path stdout, Path stderr, int port) {
        this.process = process;
        this.dataDir = dataDir;
        this.stdout = stdout;
        this.stderr = stderr;
        this.port = port;
    }

    /** The unpacked distribution: the {@code gantry.distribution} system property set by the build. */
    static Path distribution() {
        String property = System.getProperty("gantry.distribution");
        if (property == null) {
            throw new IllegalStateException("system property gantry.distribution is not set; run the ITs through Maven (failsafe)");
        }
        Path home = Path.of(property).toAbsolutePath().normalize();
        if (!Files.isExecutable(home.resolve("bin/gantry"))) {
            throw new IllegalStateException(home.resolve("bin/gantry") + " is missing or not executable");
        }
        return home;
    }

    /**
     * Starts {@code bin/gantry server} with an embedded database in {@code workDir/data}, listening on 127.0.0.1 on a
     * free port, the first admin bootstrapped with {@link #ADMIN_TOKEN}; {@code settings} ({@code GANTRY_*}
     * variables) are added last and win.
     */
    static GantryProcess start(Path workDir, Map<String, String> settings) {
        return start(workDir, settings, List.of());
    }

    /** As {@link #start(Path, Map)}, with more arguments after {@code server} (e.g. {@code --config FILE}). */
    static GantryProcess start(Path workDir, Map<String, String> settings, List<String> arguments) {
        int port = freePort();
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("GANTRY_HTTP_HOST", "127.0.0.1");
        environment.put("GANTRY_HTTP_PORT", Integer.toString(port));
        environment.put("GANTRY_DATA_DIR", workDir.resolve("data").toString());
        environment.put("GANTRY_BOOTSTRAP_TOKEN", ADMIN_TOKEN);
        environment.putAll(settings);
        return launch(workDir, environment, port, arguments);
    }

    /** Starts {@code bin/gantry server} with exactly {@code environment} as its {@code GANTRY_*} variables. */
    static GantryProcess launch(Path workDir, Map<String, String> environment, int port) {
        return launch(workDir, environment, port, List.of());
    }

    private static GantryProcess launch(Path workDir, Map<String, String> environment, int port, List<String> arguments) {
        Path home = distribution();
        Path stdout = workDir.resolve("stdout.log");
        Path stderr = workDir.resolve("stderr.log");
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/gantry").toString(), "server"));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        // whatever GANTRY_* the build happens to run with must not leak into the server under test
        builder.environment().keySet().removeIf(name -> name.startsWith("GANTRY_"));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().putAll(environment);
        Path dataDir = Path.of(environment.getOrDefault("GANTRY_DATA_DIR", home.resolve("data").toString()));
        try {
            return new GantryProcess(builder.start(), dataDir, stdout, stderr, port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + home.resolve("bin/gantry"), e);
        }
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    Path dataDir() {
        return dataDir;
    }

    Process process() {
        return process;
    }

    /** The server's process and, while it runs, its PostgreSQL's: the postmaster and its children. */
    List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(process.toHandle());
        postmaster().ifPresent(postmaster -> {
            all.add(postmaster);
            postmaster.descendants().forEach(all::add);
        });
        return all;
    }

    /** Polls {@code /readyz} until it answers 200; fails with the server's output if it exits or the time is up. */
    GantryProcess awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastAnswer = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("bin/gantry server exited with code " + process.exitValue()
                        + " before /readyz answered 200\n" + output());
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(url().resolve("/readyz"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    rememberPostgres();
                    return this;
                }
                lastAnswer = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                lastAnswer = e.toString(); // not listening yet
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
        throw new AssertionError("/readyz did not answer 200 within " + timeout + " (last: " + lastAnswer + ")\n" + output());
    }

    /** Waits for the process to exit by itself; returns its exit code, or fails with its output if it does not. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("bin/gantry server still runs after " + timeout + "\n" + output());
        }
        return process.exitValue();
    }

    /** Sends SIGTERM; true if the server exited within {@code timeout}. */
    boolean terminate(Duration timeout) throws InterruptedException {
        rememberPostgres();
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * PostgreSQL processes alive on this data directory: the postmaster named in {@code postmaster.pid} with its
     * children, those seen earlier, and any process whose command line names the data directory.
     */
    List<ProcessHandle> postgresProcesses() {
        Set<ProcessHandle> found = new LinkedHashSet<>(postgresSeen);
        postmaster().ifPresent(postmaster -> {
            found.add(postmaster);
            postmaster.descendants().forEach(found::add);
        });
        String dir = dataDir.toString();
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(line -> line.contains(dir)).orElse(false))
                // only PostgreSQL: deployed instances and routers live under the data directory too, and outlive the server
                .filter(p -> p.info().command().map(command -> command.endsWith("/postgres")).orElse(false))
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .forEach(found::add);
        return found.stream().filter(ProcessHandle::isAlive).collect(Collectors.toList());
    }

    static String describe(List<ProcessHandle> processes) {
        return processes.stream()
                .map(p -> p.pid() + " " + p.info().commandLine().orElse(p.info().command().orElse("?")))
                .collect(Collectors.joining("\n  ", "\n  ", ""));
    }

    String stdout() {
        return read(stdout);
    }

    String stderr() {
        return read(stderr);
    }

    String output() {
        return "--- stdout (" + stdout + ") ---\n" + stdout() + "\n--- stderr (" + stderr + ") ---\n" + stderr();
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                rememberPostgres();
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            // a server that was SIGKILLed, or did not stop its database, leaves postgres running: stop it too
            for (ProcessHandle postgres : postgresProcesses()) {
                postgres.destroy();
            }
            for (ProcessHandle postgres : postgresProcesses()) {
                try {
                    postgres.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    postgres.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            postgresProcesses().forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        }
    }

    private void rememberPostgres() {
        postmaster().ifPresent(postmaster -> {
            postgresSeen.add(postmaster);
            postmaster.descendants().forEach(postgresSeen::add);
        });
    }

    private Optional<ProcessHandle> postmaster() {
        Path pidFile = dataDir.resolve("postgres/postmaster.pid");
        try {
            List<String> lines = Files.exists(pidFile) ? Files.readAllLines(pidFile, StandardCharsets.UTF_8) : List.of();
            return lines.isEmpty() ? Optional.empty() : ProcessHandle.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty(); // being written or removed right now
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
