package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploys to a Docker target: samples/hello-busybox in containers of the local image {@code gantry/busybox:1} on this
 * machine's Docker engine (scripts/test starts dockerd and imports the image), behind the real router, with real
 * traffic through a first deploy and a canary.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DockerDeployIT {
    private static final String ADMIN = GantryProcess.ADMIN_TOKEN;
    private static final Duration DEPLOY_TIMEOUT = Duration.ofSeconds(120);
    private static final String IMAGE = "gantry/busybox:1";
    /** Debian's client, which matches its engine (scripts/test uses it too). */
    private static final String DOCKER = Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : "docker";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path workDir;
    private GantryProcess server;
    private DeployClient deploys;
    private int routerPort;
    /** An environment name of this run's own: its containers are found (and removed) by their environment label. */
    private final String environment = "docker-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    void start() throws Exception {
        if (docker("version").exitCode() != 0) {
            fail("the Docker engine is not running; scripts/test starts dockerd (start_docker)");
        }
        if (docker("image", "inspect", IMAGE).exitCode() != 0) {
            fail("the image " + IMAGE + " is not on the Docker host; scripts/test imports it (start_docker)");
        }
        server = GantryProcess.start(workDir, Map.of());
        server.awaitReady(Duration.ofSeconds(120));
        deploys = new DeployClient(new Api(server.url()));
        routerPort = GantryProcess.freePort();
        Api.Reply reply = deploys.api().post("/api/environments", ADMIN, """
                {"name": "%s", "regions": [{"name": "local", "targets": [{"name": "box", "deployer": "docker",
                 "settings": {"router_port": "%d", "memory": "64m"}}]}],
                 "health_timeout": "30s", "bake": "1s", "max_error_rate": 0.2, "min_requests": 10}"""
                .formatted(environment, routerPort));
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        deploys.service("""
                {"service": "hello", "instances": 2, "health_path": "/healthz",
                 "strategy": {"type": "canary", "steps": [{"weight": 10, "hold": "2s"}, {"weight": 50, "hold": "2s"}, {"weight": 100}]}}""");
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        // containers outlive the server on purpose; this run's are the ones labelled with its environment
        List<String> ids = containers("").stream().map(line -> line.split(" ")[0]).toList();
        if (!ids.isEmpty()) {
            List<String> remove = new ArrayList<>(List.of("rm", "-f"));
            remove.addAll(ids);
            docker(remove.toArray(String[]::new));
        }
        DeployClient.killTargets(workDir);
    }

    /** The requests sent from now on, once there are some (a busy machine may take a while to send the next). */
    private static List<DeployClient.Hit> hitsFromNow(DeployClient.Traffic traffic) throws InterruptedException {
        long from = System.nanoTime();
        long deadline = from + TimeUnit.SECONDS.toNanos(10);
        List<DeployClient.Hit> hits = traffic.since(from);
        while (hits.size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            hits = traffic.since(from);
        }
        return hits;
    }

    @Test
    void aFirstDeployThenACanaryMoveRealTrafficToTheNewVersionsContainers() throws Exception {
        String v1 = upload(deploys.api(), workDir, "v1");
        String v2 = upload(deploys.api(), workDir, "v2");
        try (DeployClient.Traffic traffic = new DeployClient.Traffic(routerPort)) {
            JsonNode first = deploys.await(deploys.start("hello", v1, environment), DEPLOY_TIMEOUT,
                    "succeeded", "failed", "rolled_back");
            assertThat(first.get("status").asText()).as(first.toPrettyString()).isEqualTo("succeeded");
            String v1Release = first.at("/release/release_id").asText();
            assertThat(containers(v1Release)).as("v1's containers").hasSize(2).allMatch(line -> line.endsWith(" running"));
            assertThat(hitsFromNow(traffic)).isNotEmpty()
                    .allMatch(hit -> hit.body().equals("hello from v1") && hit.version().equals(v1Release));

            long canaryStarted = System.nanoTime();
            String second = deploys.start("hello", v2, environment);
            JsonNode canary = deploys.await(second, DEPLOY_TIMEOUT, "succeeded", "failed", "rolled_back");
            assertThat(canary.get("status").asText()).as(canary.toPrettyString()).isEqualTo("succeeded");
            String v2Release = canary.at("/release/release_id").asText();
            List<String> steps = new ArrayList<>();
            canary.get("transitions").forEach(t -> steps.add(t.path("reason").asText()));
            assertThat(steps).anyMatch(s -> s.startsWith("send ") && s.contains(" 10% to " + v2Release))
                    .anyMatch(s -> s.startsWith("send ") && s.contains(" 50% to " + v2Release))
                    .anyMatch(s -> s.startsWith("send 100% to " + v2Release));
            assertThat(canary.at("/weights/box/" + v2Release).asInt()).isEqualTo(100);

            List<DeployClient.Hit> during = traffic.since(canaryStarted);
            Map<String, Long> byVersion = during.stream().filter(hit -> hit.status() == 200)
                    .collect(Collectors.groupingBy(DeployClient.Hit::version, Collectors.counting()));
            assertThat(byVersion).containsKeys(v1Release, v2Release);
            assertThat(during).as("no request failed while traffic moved").allMatch(hit -> hit.status() == 200);
            assertThat(hitsFromNow(traffic)).isNotEmpty()
                    .allMatch(hit -> hit.body().equals("hello from v2") && hit.version().equals(v2Release));

            // the previous version's containers were removed after the bake; the new version's run
            assertThat(containers(v1Release)).isEmpty();
            assertThat(containers(v2Release)).hasSize(2).allMatch(line -> line.endsWith(" running"));
            // the health gate saw the new version's containers and read the requests the router recorded for it
            JsonNode gate = canary.at("/health/box");
            assertThat(gate.path("version").asText()).as(gate.toString()).isEqualTo(v2Release);
            assertThat(gate.path("healthy_instances").asInt()).as(gate.toString()).isEqualTo(2);
            assertThat(gate.path("requests").asLong()).as(gate.toString()).isPositive();
        }
    }

    /**
     * Packs samples/hello-busybox with its index page saying "hello from {@code message}" (so each version has bytes of
     * its own), uploads it, and returns its digest.
     */
    static String upload(Api api, Path workDir, String message) throws IOException, InterruptedException {
        Path sample = Path.of(System.getProperty("gantry.repository.root", ".."), "samples", "hello-busybox");
        Path dir = Files.createTempDirectory(workDir, "busybox-bundle-");
        Files.createDirectories(dir.resolve("bin"));
        Files.createDirectories(dir.resolve("www"));
        Files.copy(sample.resolve("bin/start"), dir.resolve("bin/start"));
        Files.copy(sample.resolve("www/healthz"), dir.resolve("www/healthz"));
        Files.writeString(dir.resolve("www/index.html"), "hello from " + message + "\n", StandardCharsets.UTF_8);
        Path tar = workDir.resolve(dir.getFileName() + ".tar.gz");
        Process pack = new ProcessBuilder("tar", "-czf", tar.toString(), "-C", dir.toString(), "bin", "www")
                .inheritIO().start();
        assertThat(pack.waitFor()).isZero();
        byte[] bytes = Files.readAllBytes(tar);
        String digest = ArtifactApiIT.sha256(bytes);
        Api.Reply put = api.bytes("PUT", "/api/artifacts/" + digest, ADMIN, "application/octet-stream", bytes);
        assertThat(put.status()).as(put.body()).isIn(200, 201);
        return digest;
    }

    /** "id state" of this run's containers of {@code version} (every version when empty). */
    private List<String> containers(String version) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ps", "-a", "--format", "{{.ID}} {{.State}}",
                "--filter", "label=dev.gantry.environment=" + environment));
        if (!version.isEmpty()) {
            command.addAll(List.of("--filter", "label=dev.gantry.version=" + version));
        }
        Result result = docker(command.toArray(String[]::new));
        assertThat(result.exitCode()).as(result.output()).isZero();
        return result.output().lines().filter(line -> !line.isBlank()).toList();
    }

    private record Result(int exitCode, String output) {
    }

    private static Result docker(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(DOCKER));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, output);
        }
        return new Result(process.exitValue(), output);
    }
}
