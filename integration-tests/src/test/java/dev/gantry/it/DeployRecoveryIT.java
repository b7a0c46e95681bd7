package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server is killed with SIGKILL at random points of canary deploys and started again, {@code gantry.kills} times
 * (3 here; scripts/bench-deploys runs 20). Every deploy must finish, no plan step may be recorded twice, traffic through
 * the router must never fail while the server is down, and the time from /readyz to the deploy moving again is printed.
 */
class DeployRecoveryIT {
    private static final Duration DEPLOY_TIMEOUT = Duration.ofSeconds(120);

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void deploysSurviveKillNineAtRandomPoints(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path workDir) throws Exception {
        int kills = Integer.getInteger("gantry.kills", 3);
        Random random = new Random(Long.getLong("gantry.seed", 42));
        int routerPort = GantryProcess.freePort();
        List<String> deployIds = new ArrayList<>();
        List<Long> resumeMillis = new ArrayList<>();
        List<String> digests = new ArrayList<>();
        GantryProcess server = GantryProcess.start(workDir, Map.of());
        try (DeployClient.Traffic traffic = new DeployClient.Traffic(routerPort)) {
            server.awaitReady(Duration.ofSeconds(120));
            DeployClient deploys = new DeployClient(new Api(server.url()));
            deploys.environment("production", routerPort, ", \"health_timeout\": \"30s\", \"bake\": \"1s\"");
            deploys.service("""
                    {"service": "hello", "instances": 2, "strategy": {"type": "canary", "steps": [{"weight": 10, "hold": "1s"},
                     {"weight": 50, "hold": "1s"}, {"weight": 100}]}}""");
            for (int i = 0; i <= kills; i++) {
                digests.add(deploys.upload(workDir, "v" + i, Map.of()));
            }
            String first = deploys.start("hello", digests.get(0), "production");
            assertThat(deploys.await(first, DEPLOY_TIMEOUT, "succeeded", "failed", "rolled_back").get("status").asText())
                    .isEqualTo("succeeded");
            deployIds.add(first);
            long serving = System.nanoTime();

            for (int kill = 1; kill <= kills; kill++) {
                String id = deploys.start("hello", digests.get(kill), "production");
                deployIds.add(id);
                Thread.sleep(100 + random.nextInt(4000));
                server.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                long killedAt = System.nanoTime();
                server.close();
                Thread.sleep(500);
                assertThat(traffic.since(killedAt)).as("traffic while the server is down").isNotEmpty()
                        .allMatch(hit -> hit.status() == 200);

                server = GantryProcess.start(workDir, Map.of());
                server.awaitReady(Duration.ofSeconds(120));
                long ready = System.nanoTime();
                java.time.Instant readyAt = java.time.Instant.now();
                deploys = new DeployClient(new Api(server.url()));
                JsonNode deploy = deploys.get(id);
                if (!List.of("succeeded", "rolled_back", "failed").contains(deploy.get("status").asText())) {
                    while (takeover(deploy, readyAt.minusSeconds(60)).isEmpty()) {
                        assertThat(System.nanoTime() - ready).as("deploy %s taken over after restart", id)
                                .isLessThan(TimeUnit.SECONDS.toNanos(30));
                        Thread.sleep(10);
                        deploy = deploys.get(id);
                    }
                    // by the database's clock, the machine's too: 0 when the deploy moved before /readyz answered
                    java.time.Instant movedAt = takeover(deploy, readyAt.minusSeconds(60)).get();
                    resumeMillis.add(Math.max(0, Duration.between(readyAt, movedAt).toMillis()));
                }
                JsonNode done = deploys.await(id, DEPLOY_TIMEOUT, "succeeded", "failed", "rolled_back");
                assertThat(done.get("status").asText()).as(done.toPrettyString()).isEqualTo("succeeded");
                assertNoStepTwice(done);
            }
            Thread.sleep(300);
            assertThat(traffic.since(System.nanoTime() - 200_000_000L)).isNotEmpty()
                    .allMatch(hit -> hit.body().equals("hello from v" + kills));
            assertThat(traffic.since(serving)).as("every request through the router was answered").allMatch(hit -> hit.status() == 200);
            System.out.printf("deploy recovery: %d kills, %d deploys, 0 lost, 0 steps doubled; /readyz -> deploy moving again (ms): %s%n",
                    kills, deployIds.size(), resumeMillis);
        } finally {
            server.close();
            DeployClient.killTargets(workDir);
        }
    }

    /** When the restarted server took the deploy over (its latest takeover after {@code since}). */
    private static java.util.Optional<java.time.Instant> takeover(JsonNode deploy, java.time.Instant since) {
        java.util.Optional<java.time.Instant> latest = java.util.Optional.empty();
        for (JsonNode transition : deploy.get("transitions")) {
            java.time.Instant at = java.time.Instant.parse(transition.get("at").asText());
            if (transition.get("action").asText().equals("takeover") && at.isAfter(since)) {
                latest = java.util.Optional.of(at);
            }
        }
        return latest;
    }

    /** A plan step is recorded done once per plan (a rollback starts a new plan in state rolling_back). */
    static void assertNoStepTwice(JsonNode deploy) {
        Set<String> kinds = Set.of("ensure", "await_healthy", "weights", "hold", "approval", "remove", "remove_others");
        Map<String, Integer> seen = new HashMap<>();
        Set<String> doubled = new LinkedHashSet<>();
        for (JsonNode transition : deploy.get("transitions")) {
            if (kinds.contains(transition.get("action").asText())) {
                String key = transition.get("to").asText() + "#" + transition.get("step").asInt();
                if (seen.merge(key, 1, Integer::sum) > 1) {
                    doubled.add(key);
                }
            }
        }
        assertThat(doubled).as("steps recorded twice in " + deploy.toPrettyString()).isEmpty();
        assertThat(seen.keySet()).as("every step of the plan recorded").hasSize(deploy.at("/step/count").asInt());
    }
}
