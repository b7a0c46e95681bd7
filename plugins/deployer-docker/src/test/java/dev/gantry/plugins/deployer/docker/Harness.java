package dev.gantry.plugins.deployer.docker;

import static org.assertj.core.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
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
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Real parts for the Docker deployer's tests: this machine's Docker engine and its local image {@code gantry/busybox:1}
 * (scripts/test starts dockerd and imports it), an artifact server (a JDK HttpServer standing in for Gantry's signed
 * download URLs) serving samples/hello-busybox packed as an artifact, and the real router started from the test class
 * path. Each harness deploys to an environment of its own, so {@link #close} removes exactly its containers (by
 * label) and kills the routers it started.
 */
final class Harness implements AutoCloseable {
    static final String IMAGE = "gantry/busybox:1";
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static final Path SAMPLE = Path.of(System.getProperty("gantry.samples.dir", "../../samples"), "hello-busybox")
            .toAbsolutePath().normalize();

    final Path dataDirectory;
    final String environment = "t" + UUID.randomUUID().toString().substring(0, 8);
    final int routerPort;
    final HttpServer artifactServer;
    final Map<String, byte[]> served = new ConcurrentHashMap<>();
    final AtomicInteger downloads = new AtomicInteger();
    final byte[] helloArtifact;
    final String helloDigest;
    final DockerClient docker;

    Harness(Path dataDirectory) throws IOException {
        this.dataDirectory = dataDirectory;
        this.docker = new DockerEngine(DockerDeployerConfig.DEFAULT_DOCKER_HOST).client();
        try {
            docker.pingCmd().exec();
        } catch (RuntimeException e) {
            fail("the Docker engine at " + DockerDeployerConfig.DEFAULT_DOCKER_HOST + " is not reachable (" + e
                    + "); these tests need it: scripts/test starts dockerd and imports " + IMAGE);
        }
        try {
            docker.inspectImageCmd(IMAGE).exec();
        } catch (NotFoundException e) {
            fail("the image " + IMAGE + " is not on the Docker host; scripts/test imports it (start_docker)");
        }
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
        this.helloArtifact = pack(Map.of("bin/start", SAMPLE.resolve("bin/start"),
                "www/index.html", SAMPLE.resolve("www/index.html"), "www/healthz", SAMPLE.resolve("www/healthz")));
        this.helloDigest = sha256(helloArtifact);
        serve(helloDigest, helloArtifact);
    }

    /** Serves {@code bytes} under the digest's download URL, whatever their real hash. */
    URI serve(String digest, byte[] bytes) {
        served.put("/artifacts/" + digest.substring(7), bytes);
        return downloadUrl(digest);
    }

    URI downloadUrl(String digest) {
        // a query like a signed URL's, which must never show up in messages
        return URI.create("http://127.0.0.1:" + artifactServer.getAddress().getPort() + "/artifacts/"
                + digest.substring(7) + "?expires=9999999999&signature=s3cr3t-signature");
    }

    DockerDeployer deployer() {
        return new DockerDeployer(context(Map.of()));
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
        return target(fence, Map.of());
    }

    DeployTarget target(long fence, Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.putIfAbsent("router_port", Integer.toString(routerPort));
        return new DeployTarget("hello", environment, "local", all, fence);
    }

    VersionSpec version(String name) {
        return new VersionSpec(name, helloDigest, downloadUrl(helloDigest), Map.of("HELLO_MESSAGE", name), "/healthz");
    }

    /** Waits until the target has exactly {@code count} containers of {@code version}, all healthy. */
    List<InstanceStatus> awaitHealthy(DockerDeployer deployer, DeployTarget target, String version, int count) {
        List<List<InstanceStatus>> last = new ArrayList<>(List.of(List.of()));
        await("instances of " + version + " to be healthy", () -> {
            List<InstanceStatus> of = deployer.instances(target).stream()
                    .filter(instance -> instance.version().equals(version)).toList();
            last.set(0, of);
            return of.size() == count && of.stream().allMatch(InstanceStatus::healthy);
        }, () -> "instances: " + last.get(0) + "; logs: " + logs());
        return last.get(0);
    }

    /** This harness's containers, by name. */
    Map<String, Container> containers() {
        Map<String, Container> byName = new TreeMap<>();
        docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(ContainerInstance.ENVIRONMENT, environment)).exec()
                .forEach(container -> byName.put(container.getNames()[0].substring(1), container));
        return byName;
    }

    /** Container name to id. */
    Map<String, String> containerIds() {
        Map<String, String> ids = new TreeMap<>();
        containers().forEach((name, container) -> ids.put(name, container.getId()));
        return ids;
    }

    String logs() {
        StringBuilder out = new StringBuilder();
        containers().forEach((name, container) -> out.append('\n').append(name).append(" (").append(container.getState())
                .append(')'));
        return out.toString();
    }

    static void await(String what, BooleanSupplier condition, Supplier<String> detail) {
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

    TargetDirectory targetDirectory() {
        return new TargetDirectory(dataDirectory, target(0));
    }

    RouterClient.Admin admin() {
        return RouterClient.Admin.read(targetDirectory().routerDir()).orElseThrow();
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

    /** Removes this harness's containers (by label) and kills its router. */
    @Override
    public void close() throws IOException {
        artifactServer.stop(0);
        for (Container container : docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(ContainerInstance.ENVIRONMENT, environment)).exec()) {
            try {
                docker.removeContainerCmd(container.getId()).withForce(true).exec();
            } catch (NotFoundException gone) {
                // removed meanwhile
            }
        }
        Routers.alive(targetDirectory()).flatMap(admin -> ProcessHandle.of(admin.pid())).ifPresent(router -> {
            router.destroyForcibly();
            router.onExit().orTimeout(10, TimeUnit.SECONDS).join();
        });
        Map<String, Container> left = containers();
        docker.close();
        if (!left.isEmpty()) {
            throw new AssertionError("containers left behind: " + left.keySet());
        }
    }

    /** Kills every process this JVM started: routers are detached on purpose, so nothing else would. */
    static void killAll() {
        List<ProcessHandle> children = ProcessHandle.current().descendants().toList();
        children.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle child : children) {
            try {
                child.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // gone or unkillable; nothing more to do
            }
        }
    }

    static byte[] pack(Map<String, Path> files) throws IOException {
        Map<String, byte[]> contents = new TreeMap<>();
        Map<String, Boolean> executable = new HashMap<>();
        for (Map.Entry<String, Path> file : files.entrySet()) {
            contents.put(file.getKey(), Files.readAllBytes(file.getValue()));
            executable.put(file.getKey(), Files.isExecutable(file.getValue()));
        }
        return pack(contents, executable);
    }

    static byte[] pack(Map<String, byte[]> contents, Map<String, Boolean> executable) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
            for (Map.Entry<String, byte[]> file : new TreeMap<>(contents).entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
                entry.setSize(file.getValue().length);
                entry.setMode(executable.getOrDefault(file.getKey(), false) ? 0100755 : 0100644);
                tar.putArchiveEntry(entry);
                tar.write(file.getValue());
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

    /** What the deployer uses of a plugin context: its data directory, settings, HTTP client and clock. */
    record TestContext(Path dataDirectory, PluginConfig config) implements PluginContext {
        @Override
        public String pluginId() {
            return "deployer-docker";
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
}
