package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollback latency as the client traffic sees it (run by scripts/bench-deploys, not by the build): a canary holds at
 * 50 %, a rollback is asked for, and the time runs from just before the request to the last request (by when it was
 * sent) that the canary still served; after it, every request is served by the previous version.
 */
class DeployBench {
    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void rollbackLatency(@TempDir Path workDir) throws Exception {
        int rounds = Integer.getInteger("gantry.rollbacks", 20);
        int routerPort = GantryProcess.freePort();
        try (GantryProcess server = GantryProcess.start(workDir, Map.of())) {
            server.awaitReady(Duration.ofSeconds(120));
            DeployClient deploys = new DeployClient(new Api(server.url()));
            deploys.environment("production", routerPort, ", \"health_timeout\": \"30s\", \"bake\": \"0s\"");
            deploys.service("""
                    {"service": "hello", "instances": 2, "strategy": {"type": "canary", "steps": [{"weight": 50, "hold": "10m"},
                     {"weight": 100}]}}""");
            String stable = deploys.upload(workDir, "stable", Map.of());
            JsonNode first = deploys.await(deploys.start("hello", stable, "production"), Duration.ofSeconds(60), "succeeded", "failed");
            assertThat(first.get("status").asText()).isEqualTo("succeeded");
            printSteps("first deploy", first);

            List<Double> latencies = new ArrayList<>();
            try (DeployClient.Traffic traffic = new DeployClient.Traffic(routerPort, 4)) {
                for (int round = 0; round < rounds; round++) {
                    String digest = deploys.upload(workDir, "canary-" + round, Map.of());
                    String id = deploys.start("hello", digest, "production");
                    JsonNode deploy = deploys.get(id);
                    while (!deploy.at("/step/kind").asText().equals("hold")) {
                        assertThat(deploy.get("status").asText()).isIn("pending", "in_progress");
                        Thread.sleep(50);
                        deploy = deploys.get(id);
                    }
                    if (round == 0) {
                        printSteps("canary up to its first hold", deploy);
                    }
                    String canary = deploy.at("/release/release_id").asText();
                    Thread.sleep(1000);
                    long decided = System.nanoTime();
                    Api.Reply rollback = deploys.api().post("/api/deploys/" + id + "/rollback", GantryProcess.ADMIN_TOKEN, "{}");
                    assertThat(rollback.status()).as(rollback.body()).isEqualTo(200);
                    JsonNode done = deploys.await(id, Duration.ofSeconds(60), "rolled_back", "failed");
                    assertThat(done.get("status").asText()).isEqualTo("rolled_back");
                    Thread.sleep(200);
                    List<DeployClient.Hit> after = traffic.since(decided);
                    long lastCanary = after.stream().filter(hit -> hit.sentNanos() >= decided && hit.version().equals(canary))
                            .mapToLong(DeployClient.Hit::sentNanos).max().orElse(decided);
                    assertThat(after).allMatch(hit -> hit.status() == 200);
                    latencies.add((lastCanary - decided) / 1e6);
                }
            }
            List<Double> sorted = latencies.stream().sorted().toList();
            System.out.printf("rollback latency (decision -> 100%% of requests on the previous version), %d rollbacks: "
                            + "p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n", sorted.size(), percentile(sorted, 50),
                    percentile(sorted, 90), percentile(sorted, 99), sorted.get(sorted.size() - 1));
        } finally {
            DeployClient.killTargets(workDir);
        }
    }

    private static double percentile(List<Double> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static void printSteps(String title, JsonNode deploy) {
        System.out.println(title + ":");
        Instant previous = null;
        for (JsonNode transition : deploy.get("transitions")) {
            Instant at = Instant.parse(transition.get("at").asText());
            System.out.printf("  %+7d ms  %-14s %s%n", previous == null ? 0 : Duration.between(previous, at).toMillis(),
                    transition.get("action").asText(), transition.path("reason").asText(""));
            previous = at;
        }
    }
}
