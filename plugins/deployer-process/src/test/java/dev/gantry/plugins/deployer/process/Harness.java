package dev.gantry.plugins.deployer.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.PluginContext;
import dev.gantry.plugin.api.PluginDatabase;
import dev.gantry.plugin.api.PluginMetrics;
import dev.gantry.plugin.api.Secrets;
import dev.gantry.plugin.api.Workspace;
import dev.gantry.plugin.api.deploy.DeployTarget;
import dev.gantry.plugin.api.deploy.InstanceStatus;
import dev.gantry.plugin.api.deploy.VersionSpec;
import dev.gantry.plugins.deployer.common.Processes;
import dev.gantry.plugins.deployer.common.RouterClient;
import dev.gantry.plugins.deployer.common.Routers;
import dev.gantry.plugins.deployer.common.TargetDirectory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Real parts for the deployer's tests: a data directory, an artifact server (a JDK HttpServer standing in for Gantry's
 * signed download URLs), the sample service packed as an artifact, and the real router started from the test class
 * path. {@link #close} kills every process the test started: instances and routers are detached on purpose, so
 * nothing else would.
 */
final class Harness implements AutoCloseable {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static final Path SAMPLE = Path.of(System.getProperty("gantry.samples.dir", "../../samples"), "hello-service")
            .toAbsolutePath().normalize();

    final Path dataDirectory;
    final int routerPort;
    final HttpServer artifactServer;
    final Map<String, byte[]> served = new ConcurrentHashMap<>();
    final AtomicInteger downloads = new AtomicInteger();
    final byte[] helloArtifact;
    final String helloDigest;

    Harness(Path dataDirectory) throws IOException {
        this.dataDirectory = dataDirectory;
        this.routerPort = freePort();
        this.artifactServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        artifactServer.createContext("/artifacts/", exchange -> {
            byte[] body = served.get(exchange.getRequestURI().getPath());
            downloads.incrementAndGet();
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        artifactServer.start();
        this.helloArtifact = pack(Map.of("bin/start", SAMPLE.resolve("bin/start"), "server.py", SAMPLE.resolve("server.py")));
        this.helloDigest = sha256(helloArtifact);
        serve(helloDigest, helloArtifact);
    }

    /** Serves {@code bytes} under the digest's download URL, whatever their real hash. */
    URI serve(String digest, byte[] bytes) {
        String path = "/artifacts/" + digest.substring(7);
        served.put(path, bytes);
        return downloadUrl(digest);
    }

    URI downloadUrl(String digest) {
        // a query like a signed URL's, which must never show up in messages
        return URI.create("http://127.0.0.1:" + artifactServer.getAddress().getPort() + "/artifacts/"
                + digest.substring(7) + "?expires=9999999999&signature=s3cr3t-signature");
    }

    ProcessDeployer deployer() {
        return new ProcessDeployer(context(Map.of()));
    }

    ProcessDeployer deployer(Map<String, String> settings) {
        return new ProcessDeployer(context(settings));
    }

    RouterMetricsSource metrics() {
        return new RouterMetricsSource(context(Map.of()));
    }

    TestContext context(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>();
        settings.put("router-command", routerCommand());
        settings.put("stop-grace", "3s");
        settings.putAll(extra);
        return new TestContext(dataDirectory, new PluginConfig(settings));
    }

    /** The real router, from this test's class path (which holds the router module and its libraries). */
    static String routerCommand() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return java + " -Xmx96m -XX:TieredStopAtLevel=1 -Xshare:auto -cp " + System.getProperty("java.class.path")
                + " dev.gantry.router.RouterMain --samples-per-version 100000";
    }

    DeployTarget target(long fence) {
        return new DeployTarget("hello", "staging", "local", Map.of("router_port", Integer.toString(routerPort)), fence);
    }

    VersionSpec version(String name, Map<String, String> environment) {
        Map<String, String> env = new HashMap<>(environment);
        env.putIfAbsent("HELLO_MESSAGE", name);
        return new VersionSpec(name, helloDigest, downloadUrl(helloDigest), env, "/healthz");
    }

    /** Waits until the target has exactly {@code count} instances of {@code version}, all healthy. */
    List<InstanceStatus> awaitHealthy(ProcessDeployer deployer, DeployTarget target, String version, int count) {
        List<List<InstanceStatus>> last = new ArrayList<>(List.of(List.of()));
        await("instances of " + version + " to be healthy", () -> {
            List<InstanceStatus> of = deployer.instances(target).stream()
                    .filter(instance -> instance.version().equals(version)).toList();
            last.set(0, of);
            return of.size() == count && of.stream().allMatch(InstanceStatus::healthy);
        }, () -> "instances: " + last.get(0) + "; logs: " + logs(version));
        return last.get(0);
    }

    String logs(String version) {
        Path dir = dataDirectory.resolve("targets/hello/staging/local/instances").resolve(version);
        StringBuilder out = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path log : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                out.append('\n').append(log.getFileName()).append(": ").append(Files.readString(log));
            }
        } catch (IOException e) {
            out.append("(none: ").append(e.getMessage()).append(')');
        }
        return out.toString();
    }

    static void await(String what, BooleanSupplier condition, java.util.function.Supplier<String> detail) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + ": " + detail.get());
            }
            sleep(100);
        }
    }

    /** A request through the router's public port. */
    HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + routerPort + path))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Path targetDir() {
        return dataDirectory.resolve("targets/hello/staging/local");
    }

    RouterClient.Admin admin() {
        return RouterClient.Admin.read(targetDir().resolve("router")).orElseThrow();
    }

    /** The router's state as its admin API answers it, bypassing the deployer. */
    String routerState() {
        RouterClient.Admin admin = admin();
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.adminPort() + "/admin/state"))
                    .header("Authorization", "Bearer " + admin.token()).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Kills every process this JVM started, detached ones included (setsid changes the session, not the parent). */
    @Override
    public void close() {
        artifactServer.stop(0);
        killAll();
        killRecorded(dataDirectory);
    }

    /**
     * Kills the instances and routers the data directory records: those a process other than this JVM started are
     * no descendants of it.
     */
    static void killRecorded(Path dataDirectory) {
        Path targets = dataDirectory.resolve("targets");
        if (!Files.isDirectory(targets)) {
            return;
        }
        List<ProcessHandle> killed = new ArrayList<>();
        try (var routerDirs = Files.find(targets, 4, (path, attributes) -> path.getFileName().toString().equals("router"))) {
            for (Path routerDir : routerDirs.toList()) {
                TargetDirectory target = new TargetDirectory(dataDirectory, new DeployTarget(
                        routerDir.getParent().getParent().getParent().getFileName().toString(),
                        routerDir.getParent().getParent().getFileName().toString(),
                        routerDir.getParent().getFileName().toString(), Map.of(), 0));
                Routers.alive(target).flatMap(admin -> ProcessHandle.of(admin.pid())).ifPresent(killed::add);
                for (InstanceRecord record : InstanceRecord.readAll(target)) {
                    if (Processes.isRunning(record.identity())) {
                        ProcessHandle.of(record.pid()).ifPresent(killed::add);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        killed.forEach(ProcessHandle::destroyForcibly);
        killed.forEach(process -> await("pid " + process.pid() + " to die", () -> !running(process.pid()), () -> ""));
    }

    static void killAll() {
        List<ProcessHandle> children = ProcessHandle.current().descendants().toList();
        children.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle child : children) {
            try {
                child.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                // gone or unkillable; nothing more to do
            }
        }
    }

    static boolean running(long pid) {
        return Processes.isAlive(pid);
    }

    static byte[] pack(Map<String, Path> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
            for (Map.Entry<String, Path> file : new java.util.TreeMap<>(files).entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
                byte[] content = Files.readAllBytes(file.getValue());
                entry.setSize(content.length);
                entry.setMode(Files.isExecutable(file.getValue()) ? 0100755 : 0100644);
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** What the deployer uses of a plugin context: its data directory, settings, HTTP client and clock. */
    record TestContext(Path dataDirectory, PluginConfig config) implements PluginContext {
        @Override
        public String pluginId() {
            return "deployer-process";
        }

        @Override
        public Clock clock() {
            return Clock.systemUTC();
        }

        @Override
        public HttpClient httpClient() {
            return HTTP;
        }

        @Override
        public Secrets secrets() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Workspace workspace() {
            throw new UnsupportedOperationException();
        }

        @Override
        public PluginMetrics metrics() {
            throw new UnsupportedOperationException();
        }

        @Override
        public PluginDatabase database() {
            throw new UnsupportedOperationException();
        }
    }

    static void assertGone(long pid) {
        await("pid " + pid + " to exit", () -> !running(pid), () -> "still running");
        assertThat(running(pid)).isFalse();
    }
}
