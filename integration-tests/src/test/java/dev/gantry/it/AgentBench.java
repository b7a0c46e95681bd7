package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent pick-up latency (scripts/bench-agents; not run by the build): a real server that runs no builds itself and
 * {@code gantry.agents} (default 2) {@code bin/gantry agent} processes waiting for work. Builds are queued one at a
 * time through the API; for each, the time from its {@code queued_at} (PostgreSQL's clock when the queueing
 * transaction began) to the {@code started_at} of its first stage (the agent's clock when it began the checkout;
 * one machine, one clock) covers the notification, the claim, the HTTP answer to the agent and its dispatch. Then
 * {@code gantry.burst} (default 1000) builds are queued at once and the agents drain them.
 */
class AgentBench {
    @Test
    void pickUpLatency(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path workDir) throws Exception {
        int builds = Integer.getInteger("gantry.builds", 200);
        int warmup = Integer.getInteger("gantry.warmup", 20);
        int agentCount = Integer.getInteger("gantry.agents", 2);
        int burst = Integer.getInteger("gantry.burst", 1000);
        try (GantryProcess server = GantryProcess.start(workDir, Map.of("GANTRY_BUILD_AGENT_SLOTS", "0"))) {
            server.awaitReady(Duration.ofSeconds(120));
            Api api = new Api(server.url());
            BuildClient client = new BuildClient(api);
            String token = api.post("/api/agent-tokens", GantryProcess.ADMIN_TOKEN, "{\"name\":\"bench\"}").json()
                    .get("token").asText();
            GitRepo repo = client.register(workDir, "trivial", "");
            String sha = repo.commit("main", "trivial", Map.of("pipeline.yaml",
                    "version: 1\nstages: [{name: build, steps: [{name: ok, run: 'true'}]}]\n"));
            List<AgentProcess> agents = new ArrayList<>();
            try {
                for (int i = 1; i <= agentCount; i++) {
                    agents.add(AgentProcess.start(workDir, server.url(), token, "bench-" + i, List.of("--slots", "2")));
                }
                for (AgentProcess agent : agents) {
                    agent.awaitWorking(Duration.ofSeconds(120));
                }
                List<Double> millis = new ArrayList<>();
                for (int i = 0; i < warmup + builds; i++) {
                    String id = client.start("trivial", sha, "main");
                    JsonNode build = client.awaitFinished(id);
                    assertThat(build.get("status").asText()).as(client.log(id, 100)).isEqualTo("passed");
                    Instant queued = Instant.parse(build.get("queued_at").asText());
                    Instant picked = Instant.parse(build.get("stages").get(0).get("started_at").asText());
                    if (i >= warmup) {
                        millis.add(Duration.between(queued, picked).toNanos() / 1e6);
                    }
                    Thread.sleep(50); // the agents back in their claims
                }
                Collections.sort(millis);
                System.out.printf("agents pick-up (queued -> first stage on an agent), %d agents, %d builds: "
                                + "p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n", agentCount, builds,
                        percentile(millis, 50), percentile(millis, 90), percentile(millis, 99), millis.get(millis.size() - 1));
                if (burst > 0) {
                    drainBurst(client, repo, burst, agentCount);
                }
            } finally {
                for (AgentProcess agent : agents) {
                    agent.close();
                }
            }
        }
    }

    /**
     * {@code count} builds of distinct commits queued at once (8 requests in flight), drained by the agents: the time
     * from the first request to the last build's {@code finished_at}; every build must pass, none may be left.
     */
    private static void drainBurst(BuildClient client, GitRepo repo, int count, int agentCount) throws Exception {
        List<String> shas = repo.emptyCommits("main", count);
        ExecutorService posts = Executors.newFixedThreadPool(8);
        Instant first = Instant.now();
        List<Future<String>> queued = new ArrayList<>();
        for (String sha : shas) {
            queued.add(posts.submit(() -> client.start("trivial", sha, "main")));
        }
        List<String> ids = new ArrayList<>();
        for (Future<String> id : queued) {
            ids.add(id.get());
        }
        Instant allQueued = Instant.now();
        posts.shutdown();
        Map<String, Integer> byAgent = new TreeMap<>();
        List<String> notPassed = new ArrayList<>();
        Instant last = first;
        for (String id : ids) {
            JsonNode build = client.awaitFinished(id);
            if (!build.get("status").asText().equals("passed")) {
                notPassed.add(id + " " + build.get("status").asText());
            }
            byAgent.merge(build.path("agent_id").asText("?"), 1, Integer::sum);
            Instant finished = Instant.parse(build.get("finished_at").asText());
            last = finished.isAfter(last) ? finished : last;
        }
        double seconds = Duration.between(first, last).toMillis() / 1000.0;
        System.out.printf("agents burst: %d builds queued at once (all %d POSTs answered in %.1f s), %d agents: "
                        + "drained in %.1f s (%.1f builds/s), not passed: %d, by agent: %s%n", count, count,
                Duration.between(first, allQueued).toMillis() / 1000.0, agentCount, seconds, count / seconds,
                notPassed.size(), byAgent.values());
        assertThat(notPassed).as("builds of the burst that did not pass").isEmpty();
    }

    private static double percentile(List<Double> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
