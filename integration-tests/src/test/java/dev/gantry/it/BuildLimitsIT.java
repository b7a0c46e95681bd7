package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import java.nio.file.Path;
import java.time.Duration;
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
    private BuildClient builds;

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
        builds = new BuildClient(api);
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

        JsonNode build = builds.awaitFinished(builds.start("stuck", sha, "main"));

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
        String buildId = builds.start("loud", sha, "main");

        JsonNode build = builds.awaitFinished(buildId);

        assertThat(build.get("status").asText()).isEqualTo("passed");
        assertThat(build.get("log_truncated").asBoolean()).isTrue();
        String tail = builds.log(buildId, 5);
        assertThat(tail).contains("more lines").contains("were not kept");
        assertThat(builds.log(buildId, 10000)).contains("log truncated: this build's log reached its limit of 1 MiB");
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
        String olderBuild = builds.start("busy", older, "main");
        builds.awaitLog(olderBuild, "working");
        String newer = repo.commit("main", "fast", Map.of("pipeline.yaml", pipeline.formatted(0)));

        Api.Reply again = api.post("/api/builds", ADMIN, "{\"repo\":\"busy\",\"commit_sha\":\"" + older + "\",\"branch\":\"main\"}");
        assertThat(again.status()).as("the same commit in flight is built once").isEqualTo(200);
        assertThat(again.json().get("build_id").asText()).isEqualTo(olderBuild);
        String newerBuild = builds.start("busy", newer, "main");

        assertThat(builds.awaitFinished(newerBuild).get("status").asText()).isEqualTo("passed");
        JsonNode superseded = builds.awaitFinished(olderBuild);
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
        String buildId = builds.start("boxed", sha, "main");

        JsonNode build = builds.awaitFinished(buildId);

        assertThat(build.get("status").asText()).as(builds.log(buildId, 200)).isEqualTo("passed");
        assertThat(build.get("artifact_sha").asText()).startsWith("sha256:");
        assertThat(builds.log(buildId, 200)).contains("in busybox");
    }

    private GitRepo register(String name) {
        return builds.register(workDir, name, "");
    }
}
