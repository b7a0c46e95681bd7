package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploys of the sample service as real processes behind the real router, with real traffic: canary steps, an
 * automatic rollback on a failing gate, a manual rollback, approvals and the bad inputs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class DeploysIT {
    private static final String ADMIN = GantryProcess.ADMIN_TOKEN;
    private static final Duration DEPLOY_TIMEOUT = Duration.ofSeconds(90);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path workDir;
    private GantryProcess server;
    private DeployClient deploys;
    private int routerPort;

    @BeforeAll
    void start() throws Exception {
        server = GantryProcess.start(workDir, Map.of());
        server.awaitReady(Duration.ofSeconds(120));
        deploys = new DeployClient(new Api(server.url()));
        routerPort = GantryProcess.freePort();
        deploys.environment("production", routerPort, """
                , "health_timeout": "20s", "bake": "1s", "max_error_rate": 0.2, "min_requests": 10""");
        deploys.service("""
                {"service": "hello", "instances": 2, "health_path": "/healthz",
                 "strategy": {"type": "canary", "steps": [{"weight": 10, "hold": "2s"}, {"weight": 50, "hold": "2s"}, {"weight": 100}]}}""");
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        DeployClient.killTargets(workDir);
    }

    @Test
    void aCanaryMovesTrafficStepByStepThenARollbackReturnsItAtOnce() throws Exception {
        String v1 = deploys.upload(workDir, "v1", Map.of());
        String v2 = deploys.upload(workDir, "v2", Map.of());
        try (DeployClient.Traffic traffic = new DeployClient.Traffic(routerPort)) {
            String first = deploys.start("hello", v1, "production");
            JsonNode done = deploys.await(first, DEPLOY_TIMEOUT, "succeeded", "failed", "rolled_back");
            assertThat(done.get("status").asText()).as(done.toPrettyString()).isEqualTo("succeeded");
            String v1Release = done.at("/release/release_id").asText();

            long canaryStarted = System.nanoTime();
            String second = deploys.start("hello", v2, "production");
            JsonNode canary = deploys.await(second, DEPLOY_TIMEOUT, "succeeded", "failed", "rolled_back");
            assertThat(canary.get("status").asText()).as(canary.toPrettyString()).isEqualTo("succeeded");
            String v2Release = canary.at("/release/release_id").asText();
            assertThat(canary.at("/previous_release/release_id").asText()).isEqualTo(v1Release);
            List<String> steps = new ArrayList<>();
            canary.get("transitions").forEach(t -> steps.add(t.path("reason").asText()));
            assertThat(steps).anyMatch(s -> s.startsWith("send ") && s.contains(" 10% to " + v2Release))
                    .anyMatch(s -> s.startsWith("send ") && s.contains(" 50% to " + v2Release))
                    .anyMatch(s -> s.startsWith("send 100% to " + v2Release));
            assertThat(canary.at("/weights/box/" + v2Release).asInt()).isEqualTo(100);

            List<DeployClient.Hit> during = traffic.since(canaryStarted);
            Map<String, Long> byVersion = during.stream().filter(hit -> hit.status() == 200)
                    .collect(Collectors.groupingBy(DeployClient.Hit::body, Collectors.counting()));
            assertThat(byVersion).containsKeys("hello from v1", "hello from v2");
            assertThat(during).as("no request failed while traffic moved").allMatch(hit -> hit.status() == 200);
            Thread.sleep(300);
            List<DeployClient.Hit> after = traffic.since(System.nanoTime() - 200_000_000L);
            assertThat(after).isNotEmpty().allMatch(hit -> hit.body().equals("hello from v2") && hit.version().equals(v2Release));

            // a finished deploy rolls back through a new deploy; the old version is started again and gets all traffic
            long decided = System.nanoTime();
            Api.Reply rollback = deploys.api().post("/api/deploys/" + second + "/rollback", ADMIN, "{\"reason\": \"test\"}");
            assertThat(rollback.status()).as(rollback.body()).isEqualTo(200);
            String rollbackId = rollback.json().get("deploy_id").asText();
            assertThat(rollbackId).isNotEqualTo(second);
            assertThat(rollback.json().get("rolled_back_to").asText()).isEqualTo(v1);
            JsonNode back = deploys.await(rollbackId, DEPLOY_TIMEOUT, "succeeded", "failed", "rolled_back");
            assertThat(back.get("status").asText()).as(back.toPrettyString()).isEqualTo("succeeded");
            assertThat(back.get("kind").asText()).isEqualTo("rollback");
            Thread.sleep(300);
            assertThat(traffic.since(System.nanoTime() - 200_000_000L)).isNotEmpty()
                    .allMatch(hit -> hit.body().equals("hello from v1"));
            assertThat(traffic.since(decided)).as("no request failed during the rollback").allMatch(hit -> hit.status() == 200);

            JsonNode releases = deploys.api().get("/api/services/hello/releases", ADMIN).json();
            assertThat(releases.get("releases")).hasSizeGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void aCanaryThatFailsItsGateIsRolledBackByItself() throws Exception {
        String good = deploys.upload(workDir, "good", Map.of());
        String bad = deploys.upload(workDir, "bad", Map.of("HELLO_FAIL_RATE", "0.7"));
        deploys.service("""
                {"service": "flaky", "instances": 1, "strategy": {"type": "canary",
                 "steps": [{"weight": 50, "hold": "20s"}, {"weight": 100}]}}""");
        int port = GantryProcess.freePort();
        deploys.environment("flaky-prod", port, """
                , "health_timeout": "20s", "bake": "1s", "max_error_rate": 0.2, "min_requests": 10""");
        try (DeployClient.Traffic traffic = new DeployClient.Traffic(port)) {
            JsonNode first = deploys.await(deploys.start("flaky", good, "flaky-prod"), DEPLOY_TIMEOUT, "succeeded", "failed");
            assertThat(first.get("status").asText()).isEqualTo("succeeded");

            String canary = deploys.start("flaky", bad, "flaky-prod");
            JsonNode rolledBack = deploys.await(canary, DEPLOY_TIMEOUT, "rolled_back", "succeeded", "failed");
            assertThat(rolledBack.get("status").asText()).as(rolledBack.toPrettyString()).isEqualTo("rolled_back");
            assertThat(rolledBack.get("reason").asText()).contains("error rate").contains("above the ceiling");
            Thread.sleep(300);
            assertThat(traffic.since(System.nanoTime() - 200_000_000L)).isNotEmpty()
                    .allMatch(hit -> hit.body().equals("hello from good"));
        }
    }

    @Test
    void badInputGetsClearErrors() throws Exception {
        String digest = deploys.upload(workDir, "input", Map.of());
        assertThat(deploys.deploy("nope", digest, "production", "").status()).isEqualTo(404);
        assertThat(deploys.deploy("hello", digest, "nowhere", "").status()).isEqualTo(404);
        Api.Reply badDigest = deploys.deploy("hello", "sha256:xyz", "production", "");
        assertThat(badDigest.status()).isEqualTo(400);
        assertThat(badDigest.error()).isEqualTo("invalid_digest");
        Api.Reply unknownDigest = deploys.deploy("hello", "sha256:" + "ab".repeat(32), "production", "");
        assertThat(unknownDigest.status()).as(unknownDigest.body()).isEqualTo(404);
        Api.Reply badStrategy = deploys.deploy("hello", digest, "production", ", \"strategy\": \"yolo\"");
        assertThat(badStrategy.status()).isEqualTo(400);
        assertThat(badStrategy.body()).contains("canary, blue_green or rolling");

        Api.Reply badService = deploys.api().postBytes("/api/services", ADMIN, "application/json",
                "{\"service\": \"x\", \"instancez\": 2}".getBytes());
        assertThat(badService.status()).isEqualTo(400);
        assertThat(badService.body()).contains("instancez").contains("\"line\":1");

        Api.Reply badEnvironment = deploys.api().post("/api/environments", ADMIN, """
                {"name": "bad", "regions": [{"name": "r", "targets": []}]}""");
        assertThat(badEnvironment.status()).isEqualTo(400);
        assertThat(badEnvironment.body()).contains("needs at least one target");
    }

    @Test
    void aSecondDeployGets409AndApprovalsNeedAnotherPerson() throws Exception {
        deploys.service("""
                {"service": "gated", "instances": 1, "strategy": {"type": "blue_green", "hold": "1s"}}""");
        int port = GantryProcess.freePort();
        deploys.environment("gated-prod", port, ", \"approvals\": 1, \"health_timeout\": \"20s\"");
        String one = deploys.upload(workDir, "gated-1", Map.of());
        String two = deploys.upload(workDir, "gated-2", Map.of());

        String first = deploys.start("gated", one, "gated-prod");
        deploys.await(first, DEPLOY_TIMEOUT, "awaiting_approval");
        Api.Reply racing = deploys.deploy("gated", two, "gated-prod", "");
        assertThat(racing.status()).isEqualTo(409);
        assertThat(racing.error()).isEqualTo("deploy_in_progress");
        assertThat(racing.body()).contains(first);

        Api.Reply self = deploys.api().post("/api/deploys/" + first + "/approve", ADMIN, "{}");
        assertThat(self.status()).isEqualTo(403);
        assertThat(self.error()).isEqualTo("self_approval");

        String bob = tokenFor("bob-approver", "deployer");
        Api.Reply approved = deploys.api().post("/api/deploys/" + first + "/approve", bob, "{\"comment\": \"looks fine\"}");
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        JsonNode done = deploys.await(first, DEPLOY_TIMEOUT, "succeeded", "failed", "rolled_back");
        assertThat(done.get("status").asText()).as(done.toPrettyString()).isEqualTo("succeeded");
        assertThat(done.get("approvals").get(0).get("user").asText()).isEqualTo("bob-approver");

        Api.Reply noPrevious = deploys.api().post("/api/deploys/" + first + "/rollback", ADMIN, "{}");
        assertThat(noPrevious.status()).isEqualTo(409);
        assertThat(noPrevious.error()).isEqualTo("no_previous_release");

        // queued behind a deploy that waits for approval, then rejected: the queued one goes next
        String waiting = deploys.start("gated", two, "gated-prod");
        Api.Reply queued = deploys.deploy("gated", deploys.upload(workDir, "gated-3", Map.of()), "gated-prod", ", \"queue\": true");
        assertThat(queued.status()).isEqualTo(201);
        assertThat(queued.json().get("status").asText()).isEqualTo("queued");
        deploys.await(waiting, DEPLOY_TIMEOUT, "awaiting_approval");
        Api.Reply rejected = deploys.api().post("/api/deploys/" + waiting + "/reject", bob, "{\"comment\": \"not today\"}");
        assertThat(rejected.status()).isEqualTo(200);
        JsonNode failed = deploys.await(waiting, DEPLOY_TIMEOUT, "failed", "rolled_back");
        assertThat(failed.get("status").asText()).isEqualTo("failed");
        assertThat(failed.get("reason").asText()).contains("rejected by bob-approver");
        deploys.await(queued.json().get("deploy_id").asText(), DEPLOY_TIMEOUT, "awaiting_approval");
    }

    @Test
    void instancesThatNeverGetHealthyFailTheDeployWithTheReason() throws Exception {
        deploys.service("""
                {"service": "sick", "instances": 1, "strategy": {"type": "canary", "steps": [{"weight": 100}]}}""");
        int port = GantryProcess.freePort();
        // long enough for the healthy release to start on a busy machine; the sick one is given up on after it
        deploys.environment("sick-prod", port, ", \"health_timeout\": \"10s\"");
        String healthy = deploys.upload(workDir, "fine", Map.of());
        String sick = deploys.upload(workDir, "sick", Map.of("HELLO_UNHEALTHY", "1"));
        assertThat(deploys.await(deploys.start("sick", healthy, "sick-prod"), DEPLOY_TIMEOUT, "succeeded", "failed")
                .get("status").asText()).isEqualTo("succeeded");
        JsonNode deploy = deploys.await(deploys.start("sick", sick, "sick-prod"), DEPLOY_TIMEOUT, "rolled_back", "failed", "succeeded");
        assertThat(deploy.get("status").asText()).isEqualTo("rolled_back");
        assertThat(deploy.get("reason").asText()).contains("became healthy").contains("within 10 s");
    }

    @Test
    void aTrainDeploysServicesInTheOrderOfTheirDependencies() throws Exception {
        deploys.service("""
                {"service": "shop", "instances": 1, "depends_on": ["payments"], "strategy": {"type": "blue_green", "hold": "1s"}}""");
        deploys.service("""
                {"service": "payments", "instances": 1, "strategy": {"type": "blue_green", "hold": "1s"}}""");
        Api.Reply environment = deploys.api().post("/api/environments", ADMIN, """
                {"name": "train-prod", "regions": [{"name": "local", "targets": [{"name": "box", "deployer": "process",
                 "settings": {"router_port.shop": "%d", "router_port.payments": "%d"}}]}], "health_timeout": "20s"}"""
                .formatted(GantryProcess.freePort(), GantryProcess.freePort()));
        assertThat(environment.status()).as(environment.body()).isEqualTo(201);
        String shop = deploys.upload(workDir, "shop", Map.of());
        String payments = deploys.upload(workDir, "payments", Map.of());

        Api.Reply train = deploys.api().post("/api/trains", ADMIN, """
                {"environment": "train-prod", "deploys": [{"service": "shop", "artifact_sha": "%s"},
                 {"service": "payments", "artifact_sha": "%s"}]}""".formatted(shop, payments));
        assertThat(train.status()).as(train.body()).isEqualTo(201);
        assertThat(train.json().at("/members/0/service").asText()).isEqualTo("payments");
        assertThat(train.json().at("/members/1/deploy_id").isTextual()).as("shop waits for payments").isFalse();
        String trainId = train.json().get("train_id").asText();
        JsonNode done = null;
        for (long deadline = System.nanoTime() + DEPLOY_TIMEOUT.toNanos(); System.nanoTime() < deadline; Thread.sleep(200)) {
            done = deploys.api().get("/api/trains/" + trainId, ADMIN).json();
            if (!done.get("status").asText().equals("in_progress")) {
                break;
            }
        }
        assertThat(done.get("status").asText()).as(done.toPrettyString()).isEqualTo("succeeded");
        JsonNode paymentsDeploy = deploys.get(done.at("/members/0/deploy_id").asText());
        JsonNode shopDeploy = deploys.get(done.at("/members/1/deploy_id").asText());
        assertThat(shopDeploy.get("created_at").asText()).as("shop starts after payments finished")
                .isGreaterThan(paymentsDeploy.get("finished_at").asText());

        deploys.service("""
                {"service": "chicken", "instances": 1, "depends_on": ["egg"]}""");
        deploys.service("""
                {"service": "egg", "instances": 1, "depends_on": ["chicken"]}""");
        Api.Reply cycle = deploys.api().post("/api/trains", ADMIN, """
                {"environment": "train-prod", "deploys": [{"service": "chicken", "artifact_sha": "%s"},
                 {"service": "egg", "artifact_sha": "%s"}]}""".formatted(shop, payments));
        assertThat(cycle.status()).isEqualTo(400);
        assertThat(cycle.error()).isEqualTo("dependency_cycle");
        assertThat(cycle.body()).contains("chicken → egg → chicken");
    }

    @Test
    void aFreezeWindowBlocksDeploysButAnAdminMayOverride() throws Exception {
        String allWeek = "[\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"]";
        deploys.environment("frozen-prod", GantryProcess.freePort(), """
                , "freeze_windows": [{"days": %s, "from": "00:00", "to": "23:59:59", "reason": "holidays"}]""".formatted(allWeek));
        String digest = deploys.upload(workDir, "frozen", Map.of());
        Api.Reply frozen = deploys.deploy("hello", digest, "frozen-prod", "");
        assertThat(frozen.status()).isEqualTo(409);
        assertThat(frozen.error()).isEqualTo("environment_frozen");
        assertThat(frozen.body()).contains("holidays");
        String deployer = tokenFor("dora-deployer", "deployer");
        Api.Reply notAdmin = deploys.api().post("/api/deploys", deployer, """
                {"service": "hello", "artifact_sha": "%s", "environment": "frozen-prod", "override": true}""".formatted(digest));
        assertThat(notAdmin.status()).isEqualTo(403);
        Api.Reply overridden = deploys.deploy("hello", digest, "frozen-prod", ", \"override\": true");
        assertThat(overridden.status()).as(overridden.body()).isEqualTo(201);
        assertThat(deploys.await(overridden.json().get("deploy_id").asText(), DEPLOY_TIMEOUT, "succeeded", "failed", "rolled_back")
                .get("status").asText()).isEqualTo("succeeded");
    }

    @Test
    void anArtifactCorruptedAtRestIsRefusedAndNothingStarts() throws Exception {
        deploys.service("""
                {"service": "fragile", "instances": 1, "strategy": {"type": "blue_green", "hold": "1s"}}""");
        int port = GantryProcess.freePort();
        deploys.environment("fragile-prod", port, ", \"health_timeout\": \"20s\"");
        String good = deploys.upload(workDir, "fragile-good", Map.of());
        String damaged = deploys.upload(workDir, "fragile-damaged", Map.of());
        assertThat(deploys.await(deploys.start("fragile", good, "fragile-prod"), DEPLOY_TIMEOUT, "succeeded", "failed")
                .get("status").asText()).isEqualTo("succeeded");
        String hex = damaged.substring("sha256:".length());
        Path blob = server.dataDir().resolve("plugin-data/artifact-store-fs/sha256").resolve(hex.substring(0, 2)).resolve(hex);
        byte[] bytes = java.nio.file.Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 0x5a;
        java.nio.file.Files.write(blob, bytes);

        // the store's damage is found when the deployer fetches it: the deploy fails, the artifact is marked corrupt
        try (DeployClient.Traffic traffic = new DeployClient.Traffic(port)) {
            JsonNode deploy = deploys.await(deploys.start("fragile", damaged, "fragile-prod"), DEPLOY_TIMEOUT,
                    "rolled_back", "failed", "succeeded");
            assertThat(deploy.get("status").asText()).as(deploy.toPrettyString()).isIn("rolled_back", "failed");
            assertThat(deploy.get("reason").asText()).containsIgnoringCase("corrupt");
            Thread.sleep(300);
            assertThat(traffic.hits()).isNotEmpty().allMatch(hit -> hit.body().equals("hello from fragile-good"));
        }
        JsonNode artifact = deploys.api().get("/api/artifacts/" + damaged, ADMIN).json();
        assertThat(artifact.get("state").asText()).isEqualTo("corrupt");
        // and a deploy of a digest known to be corrupt is refused at once
        Api.Reply refused = deploys.deploy("fragile", damaged, "fragile-prod", "");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.error()).isEqualTo("artifact_corrupt");
    }

    @Test
    void pausePromoteAndAbortActOnARunningCanary() throws Exception {
        deploys.service("""
                {"service": "steered", "instances": 1, "strategy": {"type": "canary", "steps": [{"weight": 20, "hold": "10m"},
                 {"weight": 60, "hold": "10m"}, {"weight": 100}]}}""");
        int port = GantryProcess.freePort();
        deploys.environment("steered-prod", port, ", \"health_timeout\": \"20s\", \"bake\": \"10m\"");
        String one = deploys.upload(workDir, "steered-1", Map.of());
        String two = deploys.upload(workDir, "steered-2", Map.of());
        assertThat(deploys.await(deploys.start("steered", one, "steered-prod"), DEPLOY_TIMEOUT, "succeeded", "failed")
                .get("status").asText()).isEqualTo("succeeded");
        String id = deploys.start("steered", two, "steered-prod");
        awaitStep(id, "canary at 20%");

        Api.Reply paused = deploys.api().post("/api/deploys/" + id + "/pause", ADMIN, "{}");
        assertThat(paused.status()).as(paused.body()).isEqualTo(200);
        assertThat(paused.json().get("status").asText()).isEqualTo("paused");
        assertThat(deploys.api().post("/api/deploys/" + id + "/resume", ADMIN, "{}").json().get("status").asText())
                .isEqualTo("in_progress");
        assertThat(deploys.api().post("/api/deploys/" + id + "/pause", ADMIN, "{}").status()).isEqualTo(200);
        // promoting a deploy paused at a hold is the person's decision to go on: it resumes past the hold
        Api.Reply promoted = deploys.api().post("/api/deploys/" + id + "/promote", ADMIN, "{}");
        assertThat(promoted.status()).as(promoted.body()).isEqualTo(200);
        assertThat(promoted.json().get("status").asText()).isEqualTo("in_progress");
        awaitStep(id, "canary at 60%");
        assertThat(deploys.get(id).at("/weights/box").toString()).contains(":60");

        Api.Reply aborted = deploys.api().post("/api/deploys/" + id + "/abort", ADMIN, "{}");
        assertThat(aborted.status()).as(aborted.body()).isEqualTo(200);
        JsonNode done = deploys.await(id, DEPLOY_TIMEOUT, "rolled_back", "failed", "succeeded");
        assertThat(done.get("status").asText()).isEqualTo("rolled_back");
        assertThat(done.get("reason").asText()).isEqualTo("aborted by admin");
        assertThat(deploys.api().post("/api/deploys/" + id + "/resume", ADMIN, "{}").status()).isEqualTo(409);
    }

    @Test
    void productionTakesOnlyWhatSucceededInStagingAndRollingKeepsServing() throws Exception {
        deploys.service("""
                {"service": "staged", "instances": 3, "strategy": {"type": "rolling", "batch_size": 1}}""");
        int stagingPort = GantryProcess.freePort();
        int productionPort = GantryProcess.freePort();
        deploys.environment("staged-staging", stagingPort, ", \"health_timeout\": \"20s\"");
        deploys.environment("staged-production", productionPort, ", \"health_timeout\": \"20s\", \"requires_success_in\": \"staged-staging\"");
        String one = deploys.upload(workDir, "staged-1", Map.of());
        String two = deploys.upload(workDir, "staged-2", Map.of());

        Api.Reply unproven = deploys.deploy("staged", one, "staged-production", "");
        assertThat(unproven.status()).isEqualTo(409);
        assertThat(unproven.error()).isEqualTo("not_proven");
        for (String digest : List.of(one, two)) {
            assertThat(deploys.await(deploys.start("staged", digest, "staged-staging"), DEPLOY_TIMEOUT, "succeeded", "failed")
                    .get("status").asText()).isEqualTo("succeeded");
        }
        assertThat(deploys.await(deploys.start("staged", one, "staged-production"), DEPLOY_TIMEOUT, "succeeded", "failed")
                .get("status").asText()).isEqualTo("succeeded");
        try (DeployClient.Traffic traffic = new DeployClient.Traffic(productionPort)) {
            long started = System.nanoTime();
            JsonNode rolling = deploys.await(deploys.start("staged", two, "staged-production"), DEPLOY_TIMEOUT, "succeeded", "failed",
                    "rolled_back");
            assertThat(rolling.get("status").asText()).as(rolling.toPrettyString()).isEqualTo("succeeded");
            assertThat(rolling.get("strategy").asText()).isEqualTo("rolling");
            List<String> steps = new ArrayList<>();
            rolling.get("transitions").forEach(t -> steps.add(t.path("reason").asText()));
            assertThat(steps).anyMatch(step -> step.startsWith("batch of 1 of 3")).anyMatch(step -> step.startsWith("batch of 2 of 3"));
            assertThat(traffic.since(started)).isNotEmpty().allMatch(hit -> hit.status() == 200);
        }
    }

    @Test
    void aPassingBuildOfTheDefaultBranchDeploysItselfWherePipelineYamlSays() throws Exception {
        int port = GantryProcess.freePort();
        deploys.environment("auto-staging", port, ", \"health_timeout\": \"20s\"");
        BuildClient builds = new BuildClient(deploys.api());
        GitRepo repo = builds.register(workDir, "autohello", "");
        Path sample = Path.of(System.getProperty("gantry.repository.root", ".."), "samples", "hello-service");
        String sha = repo.commit("main", "first", Map.of(
                "bin/start*", java.nio.file.Files.readString(sample.resolve("bin/start")),
                "server.py", java.nio.file.Files.readString(sample.resolve("server.py")),
                "pipeline.yaml", """
                        version: 1
                        stages:
                          - name: package
                            steps:
                              - name: bundle
                                run: mkdir -p dist/bin && cp bin/start dist/bin/start && cp server.py dist/server.py
                        artifact:
                          path: dist
                        deploy:
                          service: autohello
                          instances: 1
                          strategy: {type: blue_green, hold: 1s}
                          auto_deploy: [auto-staging]
                          environments:
                            auto-staging: {env: {HELLO_MESSAGE: built and deployed}}
                        """));
        JsonNode build = builds.awaitFinished(builds.start("autohello", sha, "main"));
        assertThat(build.get("status").asText()).as(build.toPrettyString()).isEqualTo("passed");

        JsonNode list = deploys.api().get("/api/deploys?service=autohello", ADMIN).json();
        for (long deadline = System.nanoTime() + 30_000_000_000L; list.get("deploys").isEmpty(); Thread.sleep(100)) {
            assertThat(System.nanoTime()).as("a deploy of autohello starts").isLessThan(deadline);
            list = deploys.api().get("/api/deploys?service=autohello", ADMIN).json();
        }
        JsonNode deploy = deploys.await(list.at("/deploys/0/deploy_id").asText(), DEPLOY_TIMEOUT, "succeeded", "failed", "rolled_back");
        assertThat(deploy.get("status").asText()).as(deploy.toPrettyString()).isEqualTo("succeeded");
        assertThat(deploy.at("/release/artifact_sha").asText()).isEqualTo(build.get("artifact_sha").asText());
        JsonNode release = deploys.api().get("/api/services/autohello/releases", ADMIN).json().at("/releases/0");
        assertThat(release.get("commit_sha").asText()).isEqualTo(sha);
        assertThat(release.get("build_id").asText()).isEqualTo(build.get("build_id").asText());
        java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(answer.body().trim()).isEqualTo("hello from built and deployed");
    }

    @Test
    void aCanaryWhoseInstancesDieMidRolloutIsRolledBack() throws Exception {
        deploys.service("""
                {"service": "mortal", "instances": 1, "strategy": {"type": "canary", "steps": [{"weight": 50, "hold": "10m"},
                 {"weight": 100}]}}""");
        int port = GantryProcess.freePort();
        deploys.environment("mortal-prod", port, ", \"health_timeout\": \"20s\"");
        String one = deploys.upload(workDir, "mortal-1", Map.of());
        String two = deploys.upload(workDir, "mortal-2", Map.of());
        assertThat(deploys.await(deploys.start("mortal", one, "mortal-prod"), DEPLOY_TIMEOUT, "succeeded", "failed")
                .get("status").asText()).isEqualTo("succeeded");
        String id = deploys.start("mortal", two, "mortal-prod");
        awaitStep(id, "canary at 50%");
        try (DeployClient.Traffic traffic = new DeployClient.Traffic(port)) {
            // the canary's processes die (their command lines hold the artifact's unpacked directory)
            String unpacked = "artifacts/" + two.substring("sha256:".length());
            ProcessHandle.allProcesses().filter(process -> DeployClient.commandLine(process).contains(unpacked))
                    .forEach(ProcessHandle::destroyForcibly);
            JsonNode done = deploys.await(id, DEPLOY_TIMEOUT, "rolled_back", "failed", "succeeded");
            assertThat(done.get("status").asText()).as(done.toPrettyString()).isEqualTo("rolled_back");
            // whichever look notices first: the dead instances, or the errors the router answered for them
            assertThat(done.get("reason").asText()).containsAnyOf("not healthy", "error rate");
            Thread.sleep(300);
            assertThat(traffic.since(System.nanoTime() - 200_000_000L)).isNotEmpty()
                    .allMatch(hit -> hit.status() == 200 && hit.body().equals("hello from mortal-1"));
        }
    }

    private void awaitStep(String id, String label) throws InterruptedException {
        long deadline = System.nanoTime() + DEPLOY_TIMEOUT.toNanos();
        JsonNode deploy = deploys.get(id);
        while (!deploy.at("/step/description").asText().startsWith(label)) {
            assertThat(System.nanoTime()).as("deploy %s reaches '%s': %s", id, label, deploy).isLessThan(deadline);
            Thread.sleep(100);
            deploy = deploys.get(id);
        }
    }

    private String tokenFor(String name, String role) {
        Api api = deploys.api();
        Api.Reply user = api.post("/api/users", ADMIN, "{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}");
        assertThat(user.status()).as(user.body()).isEqualTo(201);
        Api.Reply token = api.post("/api/tokens", ADMIN, "{\"name\":\"test\",\"user_id\":\"" + user.json().get("id").asText() + "\"}");
        assertThat(token.status()).as(token.body()).isEqualTo(201);
        return token.json().get("token").asText();
    }
}
