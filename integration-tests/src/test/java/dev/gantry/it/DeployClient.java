package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Deploys through the API, the sample service's bundles, and real traffic through the router. */
final class DeployClient {
    static final String ADMIN = GantryProcess.ADMIN_TOKEN;
    /** The entries' time in bundles packed here: fixed, so the same content always has the same digest. */
    private static final long BUNDLE_TIME = 1_700_000_000_000L;
    private final Api api;

    DeployClient(Api api) {
        this.api = api;
    }

    Api api() {
        return api;
    }

    /** An environment with one region and one process target whose router listens on {@code routerPort}. */
    void environment(String name, int routerPort, String extra) {
        Api.Reply reply = api.post("/api/environments", ADMIN, """
                {"name": "%s", "regions": [{"name": "local", "targets": [{"name": "box", "deployer": "process",
                 "settings": {"router_port": "%d"}}]}]%s}""".formatted(name, routerPort, extra));
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    }

    /**
     * An environment with one region and one process target that runs several services, each behind its own router on
     * the port given for it ({@code router_port.<service>}).
     */
    void environment(String name, Map<String, Integer> routerPorts, String extra) {
        StringBuilder settings = new StringBuilder();
        routerPorts.forEach((service, port) -> settings.append(settings.length() == 0 ? "" : ", ")
                .append("\"router_port.").append(service).append("\": \"").append(port).append('"'));
        Api.Reply reply = api.post("/api/environments", ADMIN, """
                {"name": "%s", "regions": [{"name": "local", "targets": [{"name": "box", "deployer": "process",
                 "settings": {%s}}]}]%s}""".formatted(name, settings, extra));
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    }

    void service(String yamlOrJson) {
        Api.Reply reply = api.postBytes("/api/services", ADMIN, "application/json", yamlOrJson.getBytes());
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    }

    /**
     * Builds a bundle of the sample service whose bin/start exports {@code env} first (how a test makes a version
     * that fails or never gets healthy), uploads it, and returns its digest.
     */
    String upload(Path workDir, String message, Map<String, String> env) {
        try {
            Path dir = Files.createTempDirectory(workDir, "bundle-");
            Path sample = Path.of(System.getProperty("gantry.repository.root", ".."), "samples", "hello-service");
            Files.createDirectories(dir.resolve("bin"));
            Files.copy(sample.resolve("server.py"), dir.resolve("server.py"));
            StringBuilder start = new StringBuilder("#!/bin/sh\nexport HELLO_MESSAGE='" + message + "'\n");
            env.forEach((key, value) -> start.append("export ").append(key).append("='").append(value).append("'\n"));
            start.append("exec python3 \"$(dirname \"$0\")/../server.py\"\n");
            Files.writeString(dir.resolve("bin/start"), start);
            Files.setPosixFilePermissions(dir.resolve("bin/start"), PosixFilePermissions.fromString("rwxr-xr-x"));
            Path tar = workDir.resolve(dir.getFileName() + ".tar.gz");
            Process pack = new ProcessBuilder("tar", "-czf", tar.toString(), "-C", dir.toString(), "bin", "server.py")
                    .inheritIO().start();
            assertThat(pack.waitFor()).isZero();
            byte[] bytes = Files.readAllBytes(tar);
            String digest = ArtifactApiIT.sha256(bytes);
            Api.Reply put = api.bytes("PUT", "/api/artifacts/" + digest, ADMIN, "application/octet-stream", bytes);
            assertThat(put.status()).as(put.body()).isIn(200, 201);
            return digest;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Uploads a bundle whose bin/start serves {@code www/} (an index.html holding {@code page}, and a healthz file) with
     * busybox httpd: a version that costs the machine a process and a few KiB, so that many deploys measure Gantry
     * rather than the service's start. Packed in memory like a build's bundle (sorted entries, fixed times, owner 0).
     */
    String uploadStatic(String page) {
        String start = """
                #!/bin/sh
                # the absolute path keeps the data directory in the command line, where DeployClient.killTargets looks
                exec busybox httpd -f -p "127.0.0.1:$PORT" -h "$(cd "$(dirname "$0")/.." && pwd)/www"
                """;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            for (String dir : List.of("bin/", "www/")) {
                TarArchiveEntry entry = new TarArchiveEntry(dir);
                entry.setMode(0755);
                entry.setModTime(BUNDLE_TIME);
                tar.putArchiveEntry(entry);
                tar.closeArchiveEntry();
            }
            addFile(tar, "bin/start", start, 0755);
            addFile(tar, "www/healthz", "ok\n", 0644);
            addFile(tar, "www/index.html", page + "\n", 0644);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String digest = ArtifactApiIT.sha256(bytes.toByteArray());
        Api.Reply put = api.bytes("PUT", "/api/artifacts/" + digest, ADMIN, "application/octet-stream", bytes.toByteArray());
        assertThat(put.status()).as(put.body()).isIn(200, 201);
        return digest;
    }

    private static void addFile(TarArchiveOutputStream tar, String name, String text, int mode) throws IOException {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(mode);
        entry.setSize(content.length);
        entry.setModTime(BUNDLE_TIME);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    Api.Reply deploy(String service, String digest, String environment, String extra) {
        return api.post("/api/deploys", ADMIN, """
                {"service": "%s", "artifact_sha": "%s", "environment": "%s"%s}""".formatted(service, digest, environment, extra));
    }

    String start(String service, String digest, String environment) {
        Api.Reply reply = deploy(service, digest, environment, "");
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        return reply.json().get("deploy_id").asText();
    }

    JsonNode get(String id) {
        Api.Reply reply = api.get("/api/deploys/" + id, ADMIN);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    JsonNode await(String id, Duration timeout, String... statuses) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode deploy = null;
        while (System.nanoTime() < deadline) {
            deploy = get(id);
            if (List.of(statuses).contains(deploy.get("status").asText())) {
                return deploy;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("deploy " + id + " never reached " + List.of(statuses) + ": " + deploy.toPrettyString());
    }

    /** One request through the router (on {@code port}) as a client sees it. */
    record Hit(long sentNanos, long atNanos, int status, String version, String body, int port) {
    }

    /** Sends requests through the router without pause until closed, recording every answer (or failure). */
    static final class Traffic implements AutoCloseable {
        // a queue, not a copy-on-write list: a long run records tens of thousands of requests
        private final Queue<Hit> hits = new ConcurrentLinkedQueue<>();
        private final List<Thread> threads = new ArrayList<>();
        private volatile boolean running = true;

        Traffic(int routerPort) {
            this(routerPort, 1);
        }

        /** {@code clients} threads, each sending its next request 3 ms after the last answer. */
        Traffic(int routerPort, int clients) {
            this(List.of(routerPort), clients, Duration.ofMillis(3));
        }

        /**
         * {@code clients} threads, each sending its next request {@code pause} after the last answer, to the next of
         * {@code routerPorts} in turn (the clients start at different ones).
         */
        Traffic(List<Integer> routerPorts, int clients, Duration pause) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            List<URI> uris = routerPorts.stream().map(port -> URI.create("http://127.0.0.1:" + port + "/")).toList();
            for (int i = 0; i < clients; i++) {
                int first = i * uris.size() / clients;
                Thread thread = new Thread(() -> {
                    for (int next = first; running; next = (next + 1) % uris.size()) {
                        URI uri = uris.get(next);
                        int port = uri.getPort();
                        long sent = System.nanoTime();
                        try {
                            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri)
                                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                            hits.add(new Hit(sent, System.nanoTime(), response.statusCode(),
                                    response.headers().firstValue("X-Gantry-Version").orElse(""), response.body().trim(), port));
                        } catch (IOException e) {
                            hits.add(new Hit(sent, System.nanoTime(), 0, "", e.toString(), port));
                            sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                        sleep(pause.toMillis());
                    }
                }, "traffic-" + i);
                thread.setDaemon(true);
                thread.start();
                threads.add(thread);
            }
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        List<Hit> hits() {
            return List.copyOf(hits);
        }

        List<Hit> since(long nanos) {
            return hits.stream().filter(hit -> hit.atNanos() >= nanos).toList();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
    }

    /**
     * Routers and instances outlive the server on purpose (a crash must not drop traffic): tests stop them by what
     * their command lines hold, the server's data directory.
     */
    static void killTargets(Path dataDir) {
        String marker = dataDir.toAbsolutePath().toString();
        ProcessHandle.allProcesses().filter(process -> commandLine(process).contains(marker)).forEach(ProcessHandle::destroyForcibly);
    }

    /** The whole command line: the JDK's view of it stops at 4096 characters, before a router's --state-dir. */
    static String commandLine(ProcessHandle process) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"))).replace('\0', ' ');
        } catch (IOException | SecurityException e) {
            return process.info().commandLine().orElse("");
        }
    }
}
