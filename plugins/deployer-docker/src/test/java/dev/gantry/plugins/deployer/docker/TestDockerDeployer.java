package dev.gantry.plugins.deployer.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import dev.gantry.plugin.api.deploy.DeployTarget;
import dev.gantry.plugin.api.deploy.DeployerException;
import dev.gantry.plugin.api.deploy.InstanceStatus;
import dev.gantry.plugin.api.deploy.StaleFenceException;
import dev.gantry.plugin.api.deploy.VersionSpec;
import dev.gantry.plugin.api.metrics.MetricsQuery;
import dev.gantry.plugin.api.metrics.Sample;
import dev.gantry.plugin.api.metrics.SampleKind;
import dev.gantry.plugins.deployer.common.RouterClient;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Docker deployer with real parts: this machine's Docker engine, samples/hello-busybox as the artifact (served over
 * HTTP) in containers of {@code gantry/busybox:1}, and the real router in front of them. Each test removes its
 * containers and kills its router.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TestDockerDeployer {
    @TempDir
    Path pluginData;
    /** As the server lays it out: {@code <data dir>/plugin-data/<plugin id>}. */
    Path dataDirectory;

    Harness harness;

    @BeforeEach
    void setUp() throws Exception {
        dataDirectory = Files.createDirectories(pluginData.resolve("deployer-docker"));
        harness = new Harness(dataDirectory);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @AfterAll
    static void killStragglers() {
        Harness.killAll();
    }

    @Test
    void startsContainersThatGetHealthyAndSplitsRealTrafficByWeight() throws Exception {
        DockerDeployer deployer = harness.deployer();
        DeployTarget target = harness.target(1, Map.of("memory", "64m", "cpus", "0.5"));

        deployer.ensureInstances(target, harness.version("v1"), 2);
        deployer.ensureInstances(target, harness.version("v2"), 1);

        List<InstanceStatus> v1 = harness.awaitHealthy(deployer, target, "v1", 2);
        harness.awaitHealthy(deployer, target, "v2", 1);
        String prefix = "gantry-hello-" + harness.environment + "-local-";
        assertThat(v1).extracting(InstanceStatus::instanceId).containsExactly(prefix + "v1-0", prefix + "v1-1");
        assertThat(v1).extracting(InstanceStatus::address).allMatch(address -> address.matches("127\\.0\\.0\\.1:\\d+"));
        // one download serves both versions: they share the digest, and so the unpacked artifact
        assertThat(harness.downloads.get()).isEqualTo(1);
        assertThat(deployer.weights(target)).isEmpty();

        // the container as the engine has it
        Container listed = harness.containers().get(prefix + "v1-1");
        assertThat(listed.getImage()).isEqualTo(Harness.IMAGE);
        assertThat(listed.getLabels()).containsEntry("dev.gantry.service", "hello")
                .containsEntry("dev.gantry.environment", harness.environment).containsEntry("dev.gantry.target", "local")
                .containsEntry("dev.gantry.version", "v1").containsEntry("dev.gantry.digest", harness.helloDigest)
                .containsEntry("dev.gantry.index", "1").containsEntry("dev.gantry.fence", "1");
        InspectContainerResponse inspected = harness.docker.inspectContainerCmd(listed.getId()).exec();
        assertThat(inspected.getConfig().getEnv()).contains("PORT=8080", "GANTRY_SERVICE=hello", "GANTRY_VERSION=v1",
                "GANTRY_INSTANCE=1", "HELLO_MESSAGE=v1");
        assertThat(inspected.getConfig().getCmd()).containsExactly("/app/bin/start");
        Bind bind = Arrays.stream(inspected.getHostConfig().getBinds()).filter(b -> b.getVolume().getPath().equals("/app"))
                .findFirst().orElseThrow();
        assertThat(bind.getPath()).isEqualTo(dataDirectory.resolve("artifacts").resolve(harness.helloDigest.substring(7))
                .toString());
        assertThat(bind.getAccessMode().name()).isEqualTo("ro");
        Ports.Binding published = inspected.getHostConfig().getPortBindings().getBindings().get(ExposedPort.tcp(8080))[0];
        assertThat(published.getHostIp()).isEqualTo("127.0.0.1");
        assertThat(inspected.getHostConfig().getRestartPolicy().getName()).isIn("", "no");
        assertThat(inspected.getHostConfig().getMemory()).isEqualTo(64L << 20);
        assertThat(inspected.getHostConfig().getNanoCPUs()).isEqualTo(500_000_000L);

        deployer.setWeights(target, Map.of("v1", 50, "v2", 50));

        Map<String, Integer> byHeader = new TreeMap<>();
        int requests = 200;
        Instant from = Instant.now().minusSeconds(1);
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> response = harness.get("/");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hello from busybox\n");
            byHeader.merge(response.headers().firstValue("X-Gantry-Version").orElse("none"), 1, Integer::sum);
        }
        Instant to = Instant.now().plusSeconds(1);
        // 50 % of 200 is 100, with a standard deviation of about 7: the bounds are over 5 of them away
        assertThat(byHeader.keySet()).containsExactlyInAnyOrder("v1", "v2");
        assertThat(byHeader.get("v2")).isBetween(60, 140);
        assertThat(deployer.weights(target)).isEqualTo(Map.of("v1", 50, "v2", 50));

        // the router's samples are the traffic just sent, per version
        RouterMetricsSource metrics = harness.metrics();
        assertThat(metrics.kind()).isEqualTo("router");
        assertThat(metrics.sampleKind()).isEqualTo(SampleKind.PER_REQUEST);
        List<Sample> latencies = metrics.samples(new MetricsQuery(target, "v2", MetricsQuery.LATENCY_MS, from, to));
        assertThat(latencies).hasSize(byHeader.get("v2")).allMatch(sample -> sample.value() > 0);
        assertThat(metrics.samples(new MetricsQuery(target, "v1", MetricsQuery.ERROR, from, to)))
                .hasSize(byHeader.get("v1")).allMatch(sample -> sample.value() == 0);

        // Prometheus finds every container, labelled by version and instance
        String discovery = Files.readString(dataDirectory.resolve("prometheus-targets/hello+" + harness.environment
                + "+local.json"), StandardCharsets.UTF_8);
        for (InstanceStatus instance : deployer.instances(target)) {
            assertThat(discovery).contains("\"" + instance.address() + "\"")
                    .contains("\"instance_id\":\"" + instance.instanceId() + "\"");
        }
        assertThat(discovery).contains("\"version\":\"v1\"", "\"version\":\"v2\"", "\"service\":\"hello\"");
    }

    @Test
    void aCorruptArtifactStartsNothing() {
        DockerDeployer deployer = harness.deployer();
        DeployTarget target = harness.target(1);
        byte[] tampered = harness.helloArtifact.clone();
        tampered[tampered.length / 2] ^= 0x01;
        String claimed = Harness.sha256("the bytes the build uploaded".getBytes(StandardCharsets.UTF_8));
        URI url = harness.serve(claimed, tampered);
        VersionSpec version = new VersionSpec("v1", claimed, url, Map.of(), "/healthz");

        assertThatThrownBy(() -> deployer.ensureInstances(target, version, 2))
                .isInstanceOf(DeployerException.class)
                .hasMessageContaining("corrupt")
                .hasMessageContaining("refused")
                .hasMessageContaining(claimed)
                .hasMessageNotContaining("s3cr3t-signature");

        assertThat(deployer.instances(target)).isEmpty();
        assertThat(harness.containers()).isEmpty();
        assertThat(dataDirectory.resolve("artifacts").resolve(claimed.substring(7))).doesNotExist();
    }

    @Test
    void aCallerWithAStaleFenceIsRefused() {
        DockerDeployer deployer = harness.deployer();
        deployer.ensureInstances(harness.target(5), harness.version("v1"), 1);
        harness.awaitHealthy(deployer, harness.target(5), "v1", 1);
        deployer.setWeights(harness.target(5), Map.of("v1", 100));
        Map<String, String> ids = harness.containerIds();

        DeployTarget stale = harness.target(4);
        assertThatThrownBy(() -> deployer.ensureInstances(stale, harness.version("v1"), 3))
                .isInstanceOf(StaleFenceException.class).hasMessageContaining("5");
        assertThatThrownBy(() -> deployer.setWeights(stale, Map.of("v1", 100)))
                .isInstanceOf(StaleFenceException.class);
        assertThatThrownBy(() -> deployer.removeVersion(stale, "v1"))
                .isInstanceOf(StaleFenceException.class);
        assertThat(harness.containerIds()).isEqualTo(ids);

        // the router keeps its own fence: one it has seen higher than the deployer's is refused there too
        RouterClient router = new RouterClient(Harness.HTTP, harness.admin());
        router.putState(50, router.state());
        assertThatThrownBy(() -> deployer.setWeights(harness.target(7), Map.of("v1", 100)))
                .isInstanceOf(StaleFenceException.class);
    }

    @Test
    void aNewDeployerFindsTheSameContainersAndTrafficKeepsFlowing() throws Exception {
        DockerDeployer before = harness.deployer();
        DeployTarget target = harness.target(1);
        before.ensureInstances(target, harness.version("v1"), 2);
        harness.awaitHealthy(before, target, "v1", 2);
        before.setWeights(target, Map.of("v1", 100));
        Map<String, String> ids = harness.containerIds();
        long routerPid = harness.admin().pid();

        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        Thread traffic = new Thread(() -> {
            while (sending.get()) {
                try {
                    HttpResponse<String> response = harness.get("/");
                    if (response.statusCode() == 200) {
                        answered.incrementAndGet();
                    } else {
                        failures.add("HTTP " + response.statusCode());
                    }
                } catch (RuntimeException e) {
                    failures.add(e.toString());
                }
            }
        });
        traffic.start();
        try {
            // as after a server restart: a new deployer, which finds the containers by their labels
            DockerDeployer after = harness.deployer();

            assertThat(after.instances(target)).hasSize(2).allMatch(InstanceStatus::healthy);
            assertThat(after.weights(target)).isEqualTo(Map.of("v1", 100));
            after.ensureInstances(harness.target(2), harness.version("v1"), 2);
            after.setWeights(harness.target(2), Map.of("v1", 100));

            assertThat(harness.containerIds()).isEqualTo(ids);
            assertThat(harness.admin().pid()).isEqualTo(routerPid);
            assertThat(harness.downloads.get()).isEqualTo(1);
            int seen = answered.get();
            Harness.await("traffic to go on", () -> answered.get() > seen + 20, failures::toString);
        } finally {
            sending.set(false);
            traffic.join();
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void ensureInstancesReplacesAContainerThatStoppedAndScalesDownFromTheTop() {
        DockerDeployer deployer = harness.deployer();
        DeployTarget target = harness.target(1);
        deployer.ensureInstances(target, harness.version("v1"), 2);
        harness.awaitHealthy(deployer, target, "v1", 2);
        deployer.setWeights(target, Map.of("v1", 100));
        String prefix = "gantry-hello-" + harness.environment + "-local-v1-";
        Map<String, String> before = harness.containerIds();
        harness.docker.killContainerCmd(before.get(prefix + "1")).exec();
        Harness.await("the killed container to count as unhealthy", () -> deployer.instances(target).stream()
                .filter(InstanceStatus::healthy).count() == 1, harness::logs);

        deployer.ensureInstances(target, harness.version("v1"), 2);

        Map<String, String> after = harness.containerIds();
        assertThat(after.get(prefix + "0")).isEqualTo(before.get(prefix + "0"));
        assertThat(after.get(prefix + "1")).isNotEqualTo(before.get(prefix + "1"));
        List<InstanceStatus> healthy = harness.awaitHealthy(deployer, target, "v1", 2);
        // once healthy, the replacement joins the router's backends without another setWeights
        Harness.await("the router to list both containers", () -> healthy.stream()
                .allMatch(instance -> harness.routerState().contains(instance.address())), harness::routerState);

        deployer.ensureInstances(target, harness.version("v1"), 1);
        assertThat(harness.containerIds()).containsOnlyKeys(prefix + "0");
        assertThat(harness.routerState()).doesNotContain(healthy.get(1).address());
    }

    @Test
    void removeVersionRemovesItsContainersButNotWhileItHasTraffic() {
        DockerDeployer deployer = harness.deployer();
        DeployTarget target = harness.target(1);
        deployer.ensureInstances(target, harness.version("v1"), 1);
        deployer.ensureInstances(target, harness.version("v2"), 2);
        harness.awaitHealthy(deployer, target, "v1", 1);
        harness.awaitHealthy(deployer, target, "v2", 2);
        deployer.setWeights(target, Map.of("v1", 50, "v2", 50));

        assertThatThrownBy(() -> deployer.removeVersion(target, "v2"))
                .isInstanceOf(DeployerException.class).hasMessageContaining("v2").hasMessageContaining("50%");

        deployer.setWeights(target, Map.of("v1", 100));
        deployer.removeVersion(target, "v2");

        assertThat(harness.containers().values()).extracting(container -> container.getLabels().get("dev.gantry.version"))
                .containsExactly("v1");
        assertThat(deployer.instances(target)).extracting(InstanceStatus::version).containsOnly("v1");
        assertThat(harness.routerState()).doesNotContain("\"v2\"");
        for (int i = 0; i < 10; i++) {
            assertThat(harness.get("/").headers().firstValue("X-Gantry-Version")).hasValue("v1");
        }
        // removing it again changes nothing
        deployer.removeVersion(target, "v2");
    }

    @Test
    void theTargetsSettingsAreCheckedBeforeAnythingStarts() {
        DockerDeployer deployer = harness.deployer();
        DeployTarget noPort = new DeployTarget("hello", harness.environment, "local", Map.of(), 1);
        deployer.ensureInstances(noPort, harness.version("v1"), 1);
        harness.awaitHealthy(deployer, noPort, "v1", 1);
        assertThatThrownBy(() -> deployer.setWeights(noPort, Map.of("v1", 100)))
                .isInstanceOf(DeployerException.class).hasMessageContaining("router_port");

        assertThatThrownBy(() -> deployer.ensureInstances(harness.target(1, Map.of("image", "gantry/absent:0")),
                harness.version("v2"), 1))
                .isInstanceOf(DeployerException.class).hasMessageContaining("gantry/absent:0");
        assertThatThrownBy(() -> deployer.ensureInstances(harness.target(1, Map.of("memory", "lots")),
                harness.version("v2"), 1))
                .isInstanceOf(DeployerException.class).hasMessageContaining("memory 'lots'");
        assertThatThrownBy(() -> deployer.ensureInstances(harness.target(1, Map.of("cpus", "-1")),
                harness.version("v2"), 1))
                .isInstanceOf(DeployerException.class).hasMessageContaining("cpus '-1'");
        assertThat(new ArrayList<>(harness.containerIds().keySet()))
                .containsExactly("gantry-hello-" + harness.environment + "-local-v1-0");
    }
}
