package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds at their limits, on the distribution: a step that never ends, a step that prints 100 MB, a newer push that
 * supersedes a running build, the same commit queued twice, and the Docker builder (a real engine and the locally
 * made image gantry/busybox:1, which the test script creates).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BuildLimitsIT {
    private static final String ADMIN = GantryProcess.ADMIN_TOKEN;
    private Path workDir;
    private GantryProcess gantry;
    private Api api;

    @BeforeAll
    void start(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path workDir) throws InterruptedException {
        this.workDir = workDir;
        gantry = GantryProcess.start(workDir, Map.of("GANTRY_BUILD_LOG_LIMIT_MIB", "1"));
        try {
            gantry.awaitReady(Duration.ofSeconds(120));
        } catch (AssertionError | RuntimeException e) {
            gantry.close();
            throw e;
        }
        api = new Api(gantry.url());
    }

    @AfterAll
    void stop() {
        if (gantry != null) {
            gantry.close();
        }
    }

    @Test
    void aStepThatNeverEndsIsKilledAtItsTimeout() throws Exception {
        GitRepo repo = register("stuck");
        String sha = repo.commit("main", "stuck", Map.of("pipeline.yaml", """
                version: 1
                stages:
                  - name: build
                    steps:
                      - name: hang
                        run: sleep 4242
                        timeout: 2s
                """));

        JsonNode build = awaitFinished(startBuild("stuck", sha));

        assertThat(build.get("status").asText()).isEqualTo("failed");
        assertThat(build.get("failure_reason").asText()).contains("hang").contains("timed out");
        assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(line -> line.contains("sleep 4242"))).isEmpty();
    }

    @Test
    void aHundredMegabytesOfOutputAreCappedWithAMarker() throws Exception {
        GitRepo repo = register("loud");
        String sha = repo.commit("main", "loud", Map.of("pipeline.yaml", """
                version: 1
                stages:
                  - name: build
                    steps:
                      - name: shout
                        run: head -c 100000000 /dev/zero | tr '\\0' x | fold -w 99; echo done shouting
                """));
        String buildId = startBuild("loud", sha);

        JsonNode build = awaitFinished(buildId);

        assertThat(build.get("status").asText()).isEqualTo("passed");
        assertThat(build.get("log_truncated").asBoolean()).isTrue();
        String tail = log(buildId, 5);
        assertThat(tail).contains("more lines").contains("were not kept");
        assertThat(log(buildId, 10000)).contains("log truncated: this build's log reached its limit of 1 MiB");
    }

    @Test
    void aNewerPushSupersedesARunningBuildWhenThePipelineSaysSo() throws Exception {
        GitRepo repo = register("busy");
        String pipeline = """
                version: 1
                cancel_superseded: true
                stages:
                  - name: build
                    steps:
                      - name: work
                        run: echo working; sleep %d
                """;
        String older = repo.commit("main", "slow", Map.of("pipeline.yaml", pipeline.formatted(300)));
        String olderBuild = startBuild("busy", older);
        awaitLog(olderBuild, "working");
        String newer = repo.commit("main", "fast", Map.of("pipeline.yaml", pipeline.formatted(0)));

        Api.Reply again = api.post("/api/builds", ADMIN, "{\"repo\":\"busy\",\"commit_sha\":\"" + older + "\",\"branch\":\"main\"}");
        assertThat(again.status()).as("the same commit in flight is built once").isEqualTo(200);
        assertThat(again.json().get("build_id").asText()).isEqualTo(olderBuild);
        String newerBuild = startBuild("busy", newer);

        assertThat(awaitFinished(newerBuild).get("status").asText()).isEqualTo("passed");
        JsonNode superseded = awaitFinished(olderBuild);
        assertThat(superseded.get("status").asText()).isEqualTo("cancelled");
        assertThat(superseded.get("failure_reason").asText()).isEqualTo("superseded by build " + newerBuild);
    }

    @Test
    void theDockerBuilderRunsStepsInTheImageAndProducesTheArtifact() throws Exception {
        GitRepo repo = register("boxed");
        String sha = repo.commit("main", "docker", Map.of("pipeline.yaml", """
                version: 1
                builder: docker
                image: gantry/busybox:1
                stages:
                  - name: build
                    steps:
                      - name: package
                        run: mkdir -p dist/bin && printf '#!/bin/sh\\necho hi\\n' > dist/bin/start && chmod +x dist/bin/start && echo in busybox
                artifact:
                  path: dist
                """));
        String buildId = startBuild("boxed", sha);

        JsonNode build = awaitFinished(buildId);

        assertThat(build.get("status").asText()).as(log(buildId, 200)).isEqualTo("passed");
        assertThat(build.get("artifact_sha").asText()).startsWith("sha256:");
        assertThat(log(buildId, 200)).contains("in busybox");
    }

    private GitRepo register(String name) {
        GitRepo repo = GitRepo.create(workDir, name);
        Api.Reply created = api.post("/api/repos", ADMIN, "{\"name\":\"" + name + "\",\"url\":\"" + repo.bare() + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return repo;
    }

    private String startBuild(String repo, String sha) {
        Api.Reply build = api.post("/api/builds", ADMIN, "{\"repo\":\"" + repo + "\",\"commit_sha\":\"" + sha + "\",\"branch\":\"main\"}");
        assertThat(build.status()).as(build.body()).isEqualTo(201);
        return build.json().get("build_id").asText();
    }

    private JsonNode awaitFinished(String buildId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        JsonNode build = null;
        while (System.nanoTime() < deadline) {
            build = api.get("/api/builds/" + buildId, ADMIN).json();
            if (List.of("passed", "failed", "cancelled").contains(build.get("status").asText())) {
                return build;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("build " + buildId + " did not finish: " + build);
    }

    private void awaitLog(String buildId, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (log(buildId, 1000).contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the log of " + buildId + " never showed '" + text + "'");
    }

    private String log(String buildId, int lines) {
        StringBuilder text = new StringBuilder();
        api.get("/api/builds/" + buildId + "/logs?lines=" + lines, ADMIN).json().path("logs")
                .forEach(line -> text.append(line.get("message").asText()).append('\n'));
        return text.toString();
    }
}
