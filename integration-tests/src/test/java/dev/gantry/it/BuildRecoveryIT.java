package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** A server killed with SIGKILL in the middle of a build: after a restart the build runs again, its attempts shown. */
class BuildRecoveryIT {
    private static final Map<String, String> SHORT_LEASES = Map.of("GANTRY_BUILD_LEASE_TTL", "3s");

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aBuildInterruptedByACrashRunsAgainFromItsFirstStep(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path workDir) throws Exception {
        GitRepo repo = GitRepo.create(workDir, "slow");
        String sha = repo.commit("main", "slow", Map.of("pipeline.yaml", """
                version: 1
                stages:
                  - name: build
                    steps:
                      - name: first
                        run: echo first step
                      - name: slow
                        run: echo sleeping; sleep 4; echo woke up
                """));
        String buildId;
        try (GantryProcess first = GantryProcess.start(workDir, SHORT_LEASES)) {
            first.awaitReady(Duration.ofSeconds(120));
            Api api = new Api(first.url());
            Api.Reply created = api.post("/api/repos", GantryProcess.ADMIN_TOKEN, "{\"name\":\"slow\",\"url\":\"" + repo.bare() + "\"}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            Api.Reply build = api.post("/api/builds", GantryProcess.ADMIN_TOKEN,
                    "{\"repo\":\"slow\",\"commit_sha\":\"" + sha + "\",\"branch\":\"main\"}");
            assertThat(build.status()).as(build.body()).isEqualTo(201);
            buildId = build.json().get("build_id").asText();
            awaitLog(api, buildId, "sleeping");

            first.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }

        try (GantryProcess second = GantryProcess.start(workDir, SHORT_LEASES)) {
            second.awaitReady(Duration.ofSeconds(120));
            Api api = new Api(second.url());
            JsonNode build = awaitFinished(api, buildId);

            assertThat(build.get("status").asText()).isEqualTo("passed");
            assertThat(build.get("attempt").asInt()).isEqualTo(2);
            String log = log(api, buildId);
            assertThat(log).contains("attempt 2 of 3", "woke up");
            assertThat(log.indexOf("first step", log.indexOf("attempt 2 of 3"))).as("the first step ran again").isPositive();
        }
    }

    private static JsonNode awaitFinished(Api api, String buildId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        JsonNode build = null;
        while (System.nanoTime() < deadline) {
            build = api.get("/api/builds/" + buildId, GantryProcess.ADMIN_TOKEN).json();
            if (List.of("passed", "failed", "cancelled").contains(build.get("status").asText())) {
                return build;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("build " + buildId + " did not finish after the restart: " + build);
    }

    private static void awaitLog(Api api, String buildId, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (log(api, buildId).contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the log never showed '" + text + "'");
    }

    private static String log(Api api, String buildId) {
        StringBuilder text = new StringBuilder();
        api.get("/api/builds/" + buildId + "/logs?lines=10000", GantryProcess.ADMIN_TOKEN).json().path("logs")
                .forEach(line -> text.append(line.get("message").asText()).append('\n'));
        return text.toString();
    }
}
