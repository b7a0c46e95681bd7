package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import java.nio.file.Path;
import java.time.Duration;
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
            BuildClient builds = new BuildClient(api);
            buildId = builds.start("slow", sha, "main");
            builds.awaitLog(buildId, "sleeping");

            first.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }

        try (GantryProcess second = GantryProcess.start(workDir, SHORT_LEASES)) {
            second.awaitReady(Duration.ofSeconds(120));
            BuildClient builds = new BuildClient(new Api(second.url()));
            JsonNode build = builds.awaitFinished(buildId);

            assertThat(build.get("status").asText()).isEqualTo("passed");
            assertThat(build.get("attempt").asInt()).isEqualTo(2);
            String log = builds.log(buildId, 10000);
            assertThat(log).contains("attempt 2 of 3", "woke up");
            assertThat(log.indexOf("first step", log.indexOf("attempt 2 of 3"))).as("the first step ran again").isPositive();
        }
    }
}
