package dev.gantry.plugins.deployer.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.deploy.DeployTarget;
import dev.gantry.plugin.api.deploy.DeployerException;
import dev.gantry.plugin.api.deploy.InstanceStatus;
import dev.gantry.plugin.api.deploy.StaleFenceException;
import dev.gantry.plugin.api.deploy.VersionSpec;
import dev.gantry.plugins.deployer.common.RouterClient;
import dev.gantry.plugins.deployer.common.TargetDirectory;
import dev.gantry.plugin.api.metrics.MetricsQuery;
import dev.gantry.plugin.api.metrics.Sample;
import dev.gantry.plugin.api.metrics.SampleKind;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process deployer with real parts: the sample service (samples/hello-service) as the artifact, served over HTTP,
 * run as real processes, and the real router in front of them. Each test kills what it started.
 */
class TestProcessDeployer {
    @TempDir
    Path dataDirectory;

    Harness harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = new Harness(dataDirectory);
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @AfterAll
    static void killStragglers() {
        Harness.killAll();
    }

    @Test
    void startsInstancesThatBecomeHealthyAndSplitsRealTrafficByWeight() {
        ProcessDeployer deployer = harness.deployer();
        DeployTarget target = harness.target(1);

        deployer.ensureInstances(target, harness.version("v1", Map.of()), 2);
        deployer.ensureInstances(target, harness.version("v2", Map.of()), 1);

        List<InstanceStatus> v1 = harness.awaitHealthy(deployer, target, "v1", 2);
        List<InstanceStatus> v2 = harness.awaitHealthy(deployer, target, "v2", 1);
        assertThat(v1).extracting(InstanceStatus::instanceId).containsExactly("v1-0", "v1-1");
        assertThat(v1).extracting(InstanceStatus::address).allMatch(address -> address.matches("127\\.0\\.0\\.1:\\d+"));
        // one download serves both versions: they share the digest, and so the unpacked artifact
        assertThat(harness.downloads.get()).isEqualTo(1);
        assertThat(deployer.weights(target)).isEmpty();

        deployer.setWeights(target, Map.of("v1", 90, "v2", 10));

        Map<String, Integer> byHeader = new TreeMap<>();
        int requests = 400;
        Instant from = Instant.now().minusSeconds(1);
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> response = harness.get("/");
            assertThat(response.statusCode()).isEqualTo(200);
            String version = response.headers().firstValue("X-Gantry-Version").orElse("none");
            assertThat(response.body()).isEqualTo("hello from " + version + "\n");
            byHeader.merge(version, 1, Integer::sum);
        }
        Instant to = Instant.now().plusSeconds(1);
        // 10 % of 400 is 40; the bounds are over 5 standard deviations away
        assertThat(byHeader.keySet()).containsExactlyInAnyOrder("v1", "v2");
        assertThat(byHeader.get("v2")).isBetween(10, 75);
        assertThat(deployer.weights(target)).isEqualTo(Map.of("v1", 90, "v2", 10));

        // the router's samples are the traffic just sent, per version
        RouterMetricsSource metrics = harness.metrics();
        assertThat(metrics.kind()).isEqualTo("router");
        assertThat(metrics.sampleKind()).isEqualTo(SampleKind.PER_REQUEST);
        List<Sample> latencies = metrics.samples(new MetricsQuery(target, "v2", MetricsQuery.LATENCY_MS, from, to));
        List<Sample> errors = metrics.samples(new MetricsQuery(target, "v2", MetricsQuery.ERROR, from, to));
        assertThat(latencies).hasSize(byHeader.get("v2")).allMatch(sample -> sample.value() > 0);
        assertThat(errors).hasSize(byHeader.get("v2")).allMatch(sample -> sample.value() == 0);
        assertThat(metrics.samples(new MetricsQuery(target, "v1", MetricsQuery.LATENCY_MS, from, to)))
                .hasSize(byHeader.get("v1"));
        assertThatThrownBy(() -> metrics.samples(new MetricsQuery(target, "v2", "cpu", from, to)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("latency_ms").hasMessageContaining("error");

        // Prometheus finds every instance, labelled by version and instance
        String discovery = Harness.text(readAllBytes(
                dataDirectory.resolve("prometheus-targets/hello+staging+local.json")));
        for (InstanceStatus instance : deployer.instances(target)) {
            assertThat(discovery).contains("{\"targets\":[\"" + instance.address() + "\"]")
                    .contains("\"version\":\"" + instance.version() + "\",\"instance_id\":\""
                            + instance.instanceId() + "\"");
        }
        assertThat(discovery).contains("\"version\":\"v1\"", "\"version\":\"v2\"", "\"service\":\"hello\"",
                "\"environment\":\"staging\"", "\"target\":\"local\"");
    }

    @Test
    void errorsOfAFailingVersionShowInItsSamples() {
        ProcessDeployer deployer = harness.deployer();
        DeployTarget target = harness.target(1);
        deployer.ensureInstances(target, harness.version("bad", Map.of("HELLO_FAIL_RATE", "1")), 1);
        harness.awaitHealthy(deployer, target, "bad", 1);
        deployer.setWeights(target, Map.of("bad", 100));
        Instant from = Instant.now().minusSeconds(1);

        for (int i = 0; i < 20; i++) {
            assertThat(harness.get("/").statusCode()).isEqualTo(500);
        }

        List<Sample> errors = harness.metrics().samples(new MetricsQuery(target, "bad", MetricsQuery.ERROR, from,
                Instant.now().plusSeconds(1)));
        assertThat(errors).hasSize(20).allMatch(sample -> sample.value() == 1);
    }

    @Test
    void aCorruptArtifactIsRefusedAndNothingStarts() {
        ProcessDeployer deployer = harness.deployer();
        DeployTarget target = harness.target(1);
        byte[] tampered = harness.helloArtifact.clone();
        tampered[tampered.length / 2] ^= 0x01;
        String claimed = Harness.sha256("the bytes the build uploaded".getBytes());
        URI url = harness.serve(claimed, tampered);
        VersionSpec version = new VersionSpec("v1", claimed, url, Map.of(), "/healthz");

        assertThatThrownBy(() -> deployer.ensureInstances(target, version, 2))
                .isInstanceOf(DeployerException.class)
                .hasMessageContaining("corrupt")
                .hasMessageContaining("refused")
                .hasMessageContaining(claimed)
                .hasMessageNotContaining("s3cr3t-signature");

        assertThat(deployer.instances(target)).isEmpty();
        assertThat(ProcessHandle.current().descendants()).isEmpty();
        assertThat(dataDirectory.resolve("artifacts").resolve(claimed.substring(7))).doesNotExist();
    }

    @Test
    void aCallerWithAStaleFenceIsRefused() {
        ProcessDeployer deployer = harness.deployer();
        deployer.ensureInstances(harness.target(5), harness.version("v1", Map.of()), 1);
        harness.awaitHealthy(deployer, harness.target(5), "v1", 1);
        deployer.setWeights(harness.target(5), Map.of("v1", 100));
        long pid = pidsOf(deployer, harness.target(5)).get("v1-0");

        DeployTarget stale = harness.target(4);
        assertThatThrownBy(() -> deployer.ensureInstances(stale, harness.version("v1", Map.of()), 3))
                .isInstanceOf(StaleFenceException.class).hasMessageContaining("5");
        assertThatThrownBy(() -> deployer.setWeights(stale, Map.of("v1", 100)))
                .isInstanceOf(StaleFenceException.class);
        assertThatThrownBy(() -> deployer.removeVersion(stale, "v1"))
                .isInstanceOf(StaleFenceException.class);
        assertThat(deployer.instances(stale)).hasSize(1);
        assertThat(Harness.running(pid)).isTrue();

        // a newer controller may act, and from then on the old token is stale as well
        deployer.ensureInstances(harness.target(6), harness.version("v1", Map.of()), 1);
        assertThatThrownBy(() -> deployer.setWeights(harness.target(5), Map.of("v1", 100)))
                .isInstanceOf(StaleFenceException.class);

        // the router keeps its own fence: one it has seen higher than the deployer's is refused there too
        RouterClient.Admin admin = harness.admin();
        new RouterClient(Harness.HTTP, admin).putState(50, new RouterClient(Harness.HTTP, admin).state());
        assertThatThrownBy(() -> deployer.setWeights(harness.target(7), Map.of("v1", 100)))
                .isInstanceOf(StaleFenceException.class);
    }

    @Test
    void aRestartedServerAdoptsRunningInstancesAndTheRouterWithoutRestartingThem() throws Exception {
        ProcessDeployer before = harness.deployer();
        DeployTarget target = harness.target(1);
        before.ensureInstances(target, harness.version("v1", Map.of()), 2);
        harness.awaitHealthy(before, target, "v1", 2);
        before.setWeights(target, Map.of("v1", 100));
        Map<String, Long> pids = pidsOf(before, target);
        long routerPid = harness.admin().pid();

        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
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
            // as after a server restart: a new deployer that knows only the files
            ProcessDeployer after = harness.deployer();

            assertThat(after.instances(target)).hasSize(2).allMatch(InstanceStatus::healthy);
            assertThat(after.weights(target)).isEqualTo(Map.of("v1", 100));
            after.ensureInstances(harness.target(2), harness.version("v1", Map.of()), 2);
            after.setWeights(harness.target(2), Map.of("v1", 100));

            assertThat(pidsOf(after, target)).isEqualTo(pids);
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
    void instancesAndTheRouterOutliveACrashOfTheServerThatStartedThem() throws Exception {
        Path output = dataDirectory.resolve("crashing-server.out");
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashingServer.class.getName(), dataDirectory.toString(),
                Integer.toString(harness.routerPort), harness.helloDigest, harness.downloadUrl(harness.helloDigest).toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        assertThat(server.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)).as("the server ends").isTrue();
        assertThat(server.exitValue()).as(Files.readString(output)).isZero();
        assertThat(Files.readString(output)).contains("deployed");

        ProcessDeployer after = harness.deployer();
        DeployTarget target = harness.target(2);
        Map<String, Long> pids = pidsOf(after, target);
        long routerPid = harness.admin().pid();
        // orphans now: nothing of the dead server's process tree, yet running
        assertThat(ProcessHandle.current().descendants().map(ProcessHandle::pid))
                .doesNotContainAnyElementsOf(pids.values()).doesNotContain(routerPid);
        assertThat(after.instances(target)).hasSize(2).allMatch(InstanceStatus::healthy);
        assertThat(after.weights(target)).isEqualTo(Map.of("v1", 100));
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = harness.get("/");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hello from v1\n");
        }

        after.ensureInstances(target, harness.version("v1", Map.of()), 2);
        after.setWeights(target, Map.of("v1", 100));
        assertThat(pidsOf(after, target)).isEqualTo(pids);
        assertThat(harness.admin().pid()).isEqualTo(routerPid);
    }

    @Test
    void replicasWithDataDirectoriesOfTheirOwnDriveOneTargetThroughASharedStateDir(@TempDir Path replicas) {
        // the harness's directory is the one they share; each replica's plugin data directory is elsewhere
        Map<String, String> shared = Map.of("state-dir", dataDirectory.toString());
        ProcessDeployer first = new ProcessDeployer(new Harness.TestContext(replicas.resolve("a"),
                harness.context(shared).config()));
        first.ensureInstances(harness.target(1), harness.version("v1", Map.of()), 1);
        harness.awaitHealthy(first, harness.target(1), "v1", 1);
        first.setWeights(harness.target(1), Map.of("v1", 100));
        Instant from = Instant.now().minusSeconds(1);
        for (int i = 0; i < 10; i++) {
            assertThat(harness.get("/").statusCode()).isEqualTo(200);
        }
        Map<String, Long> pids = pidsOf(first, harness.target(1));
        long routerPid = harness.admin().pid();

        // the other replica takes the target over with a higher fence, as after the first one died
        ProcessDeployer second = new ProcessDeployer(new Harness.TestContext(replicas.resolve("b"),
                harness.context(shared).config()));
        DeployTarget target = harness.target(2);
        assertThat(second.instances(target)).hasSize(1).allMatch(InstanceStatus::healthy);
        assertThat(second.weights(target)).isEqualTo(Map.of("v1", 100));
        second.ensureInstances(target, harness.version("v2", Map.of()), 1);
        harness.awaitHealthy(second, target, "v2", 1);
        second.setWeights(target, Map.of("v1", 50, "v2", 50));

        assertThat(harness.admin().pid()).as("the router the first replica started").isEqualTo(routerPid);
        assertThat(pidsOf(second, target)).containsAllEntriesOf(pids);
        assertThat(new RouterMetricsSource(new Harness.TestContext(replicas.resolve("b"), harness.context(shared).config()))
                .samples(new MetricsQuery(target, "v1", MetricsQuery.ERROR, from, Instant.now())))
                .as("the shared router's samples, read by the other replica").hasSizeGreaterThanOrEqualTo(10);
        assertThatThrownBy(() -> first.setWeights(harness.target(1), Map.of("v1", 100)))
                .isInstanceOf(StaleFenceException.class);
        assertThat(replicas.resolve("b/targets")).doesNotExist();
    }

    @Test
    void ensureInstancesReplacesAKilledInstanceAndTheRouterFollows() throws Exception {
        ProcessDeployer deployer = harness.deployer();
        DeployTarget target = harness.target(1);
        deployer.ensureInstances(target, harness.version("v1", Map.of()), 2);
        harness.awaitHealthy(deployer, target, "v1", 2);
        deployer.setWeights(target, Map.of("v1", 100));
        Map<String, Long> before = pidsOf(deployer, target);
        ProcessHandle killed = ProcessHandle.of(before.get("v1-1")).orElseThrow();
        killed.destroyForcibly();
        killed.onExit().get();
        assertThat(deployer.instances(target)).filteredOn(InstanceStatus::healthy).hasSize(1);

        deployer.ensureInstances(target, harness.version("v1", Map.of()), 2);

        Map<String, Long> after = pidsOf(deployer, target);
        assertThat(after.get("v1-0")).isEqualTo(before.get("v1-0"));
        assertThat(after.get("v1-1")).isNotEqualTo(before.get("v1-1"));
        List<InstanceStatus> healthy = harness.awaitHealthy(deployer, target, "v1", 2);
        // once healthy, the replacement joins the router's backends without another setWeights
        Harness.await("the router to list both instances", () -> healthy.stream()
                .allMatch(instance -> harness.routerState().contains(instance.address())), harness::routerState);
        assertThat(deployer.weights(target)).isEqualTo(Map.of("v1", 100));

        // scaling down stops the highest index first, and takes it out of the router before it stops
        deployer.ensureInstances(target, harness.version("v1", Map.of()), 1);
        assertThat(pidsOf(deployer, target)).containsOnlyKeys("v1-0");
        Harness.assertGone(after.get("v1-1"));
        assertThat(harness.routerState()).doesNotContain(healthy.get(1).address());
    }

    @Test
    void removeVersionStopsItsProcessesButNotWhileItHasTraffic() {
        ProcessDeployer deployer = harness.deployer();
        DeployTarget target = harness.target(1);
        deployer.ensureInstances(target, harness.version("v1", Map.of()), 1);
        deployer.ensureInstances(target, harness.version("v2", Map.of()), 2);
        harness.awaitHealthy(deployer, target, "v1", 1);
        harness.awaitHealthy(deployer, target, "v2", 2);
        deployer.setWeights(target, Map.of("v1", 50, "v2", 50));
        Map<String, Long> pids = pidsOf(deployer, target);

        assertThatThrownBy(() -> deployer.removeVersion(target, "v2"))
                .isInstanceOf(DeployerException.class).hasMessageContaining("v2").hasMessageContaining("50%");

        deployer.setWeights(target, Map.of("v1", 100));
        deployer.removeVersion(target, "v2");

        Harness.assertGone(pids.get("v2-0"));
        Harness.assertGone(pids.get("v2-1"));
        assertThat(Harness.running(pids.get("v1-0"))).isTrue();
        assertThat(deployer.instances(target)).extracting(InstanceStatus::version).containsOnly("v1");
        assertThat(harness.routerState()).doesNotContain("\"v2\"");
        assertThat(Harness.text(readAllBytes(dataDirectory.resolve("prometheus-targets/hello+staging+local.json"))))
                .doesNotContain("v2");
        for (int i = 0; i < 10; i++) {
            assertThat(harness.get("/").body()).isEqualTo("hello from v1\n");
        }
        // removing it again changes nothing
        deployer.removeVersion(target, "v2");
    }

    @Test
    void thePrometheusFileFollowsTheRunningInstancesInTheDirectoryTheSettingNames(@TempDir Path discovery) {
        ProcessDeployer deployer = harness.deployer(Map.of("prometheus-targets-dir", discovery.toString()));
        DeployTarget target = harness.target(1);
        Path file = discovery.resolve("hello+staging+local.json");

        deployer.ensureInstances(target, harness.version("v1", Map.of()), 2);
        List<InstanceStatus> running = harness.awaitHealthy(deployer, target, "v1", 2);
        assertThat(Harness.text(readAllBytes(file))).contains(running.get(0).address(), running.get(1).address(),
                "\"instance_id\":\"v1-0\"", "\"instance_id\":\"v1-1\"");

        // an instance that died is left out at the next write, though its record is only dropped later
        long pid = pidsOf(deployer, target).get("v1-1");
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        Harness.assertGone(pid);
        deployer.removeVersion(target, "v0");
        assertThat(Harness.text(readAllBytes(file))).contains(running.get(0).address(), "\"instance_id\":\"v1-0\"")
                .doesNotContain(running.get(1).address(), "v1-1");

        deployer.removeVersion(target, "v1");

        assertThat(Harness.text(readAllBytes(file))).isEqualTo("[]\n");
        assertThat(dataDirectory.resolve("prometheus-targets")).doesNotExist();
    }

    @Test
    void weightsGoOnlyToVersionsWithAHealthyInstance() {
        ProcessDeployer deployer = harness.deployer();
        DeployTarget target = harness.target(1);
        deployer.ensureInstances(target, harness.version("sick", Map.of("HELLO_UNHEALTHY", "1")), 1);
        Harness.sleep(1000);
        assertThat(deployer.instances(target)).singleElement().satisfies(instance -> assertThat(instance.healthy()).isFalse());

        assertThatThrownBy(() -> deployer.setWeights(target, Map.of("sick", 100)))
                .isInstanceOf(DeployerException.class).hasMessageContaining("sick").hasMessageContaining("healthy");
        assertThatThrownBy(() -> deployer.setWeights(target, Map.of("never-started", 100)))
                .isInstanceOf(DeployerException.class).hasMessageContaining("never-started");
        assertThatThrownBy(() -> deployer.setWeights(target, Map.of("sick", 60)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("100");
    }

    @Test
    void aTargetWithoutARouterPortIsToldSo() {
        ProcessDeployer deployer = harness.deployer();
        DeployTarget noPort = new DeployTarget("hello", "staging", "local", Map.of(), 1);
        deployer.ensureInstances(noPort, harness.version("v1", Map.of()), 1);
        harness.awaitHealthy(deployer, noPort, "v1", 1);

        assertThatThrownBy(() -> deployer.setWeights(noPort, Map.of("v1", 100)))
                .isInstanceOf(DeployerException.class).hasMessageContaining("router_port");
        DeployTarget badPort = new DeployTarget("hello", "staging", "local", Map.of("router_port", "http"), 1);
        assertThatThrownBy(() -> deployer.setWeights(badPort, Map.of("v1", 100)))
                .isInstanceOf(DeployerException.class).hasMessageContaining("router_port 'http'");
        assertThatThrownBy(() -> harness.metrics().samples(new MetricsQuery(noPort, "v1", MetricsQuery.LATENCY_MS,
                Instant.now().minusSeconds(60), Instant.now())))
                .isInstanceOf(DeployerException.class).hasMessageContaining("no router runs");
    }

    @Test
    void instancesGetTheirVersionsEnvironmentAndNoneOfTheServersSecrets() throws Exception {
        ProcessDeployer deployer = harness.deployer();
        DeployTarget target = harness.target(1);
        deployer.ensureInstances(target, harness.version("v1", Map.of("HELLO_MESSAGE", "configured")), 1);
        InstanceStatus instance = harness.awaitHealthy(deployer, target, "v1", 1).get(0);

        HttpResponse<String> direct = Harness.HTTP.send(HttpRequest.newBuilder(
                URI.create("http://" + instance.address() + "/")).version(HttpClient.Version.HTTP_1_1).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(direct.body()).isEqualTo("hello from configured\n");
        long pid = pidsOf(deployer, target).get("v1-0");
        Map<String, String> environment = environmentOf(pid);
        assertThat(environment).containsEntry("GANTRY_SERVICE", "hello").containsEntry("GANTRY_VERSION", "v1")
                .containsEntry("PORT", instance.address().substring("127.0.0.1:".length()))
                .containsKey("PATH");
        // of the server's own environment only the basics pass (the start script and pyenv's shim add a few more)
        List<String> passed = List.of("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR");
        assertThat(System.getenv().keySet()).filteredOn(name -> !passed.contains(name) && !name.contains("PYENV")
                        && !name.equals("PWD") && !name.equals("SHLVL") && !name.equals("_"))
                .isNotEmpty()
                .noneMatch(environment::containsKey);
        // its own session: a signal to the server's process group does not reach it
        assertThat(sessionOf(pid)).isEqualTo(pid);
    }

    /** Instance id to pid, from the records the deployer keeps. */
    private Map<String, Long> pidsOf(ProcessDeployer deployer, DeployTarget target) {
        assertThat(deployer.instances(target)).isNotEmpty();
        return InstanceRecord.readAll(new TargetDirectory(dataDirectory, target)).stream()
                .collect(Collectors.toMap(InstanceRecord::instanceId, InstanceRecord::pid, (a, b) -> a, TreeMap::new));
    }

    private static Map<String, String> environmentOf(long pid) throws Exception {
        String raw = Files.readString(Path.of("/proc/" + pid + "/environ"));
        Map<String, String> environment = new TreeMap<>();
        for (String entry : raw.split("\0")) {
            int equals = entry.indexOf('=');
            if (equals > 0) {
                environment.put(entry.substring(0, equals), entry.substring(equals + 1));
            }
        }
        return environment;
    }

    private static long sessionOf(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[3]);
    }

    private static byte[] readAllBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
