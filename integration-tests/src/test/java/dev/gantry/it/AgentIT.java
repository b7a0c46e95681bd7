package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Build agents as separate processes ({@code bin/gantry agent}) against a server that runs no builds itself
 * ({@code build.agent.slots=0}): they lease builds over HTTP with an agent token, run them in their own sandboxes,
 * stream logs back and upload the artifact; labels route builds; a killed agent's build runs again on another.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class AgentIT {
    private static final String ADMIN = GantryProcess.ADMIN_TOKEN;
    private static final Duration START = Duration.ofSeconds(90);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path workDir;
    private static GantryProcess server;
    private static Api api;
    private static BuildClient builds;
    private static String agentToken;

    @BeforeAll
    static void start() throws InterruptedException {
        // a short lease, so that a killed agent's build is queued again within seconds
        server = GantryProcess.start(workDir, Map.of("GANTRY_BUILD_AGENT_SLOTS", "0", "GANTRY_BUILD_LEASE_TTL", "4s"));
        server.awaitReady(START);
        api = new Api(server.url());
        builds = new BuildClient(api);
        agentToken = newAgentToken("it-agents");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String newAgentToken(String name) {
        Api.Reply created = api.post("/api/agent-tokens", ADMIN, "{\"name\":\"" + name + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("token").asText()).startsWith("gtyagt_");
        return created.json().get("token").asText();
    }

    private static AgentProcess agent(String name, String... arguments) throws InterruptedException {
        return AgentProcess.start(workDir, server.url(), agentToken, name, List.of(arguments)).awaitWorking(START);
    }

    @Test
    void anAgentBuildsWhatTheServerQueuesAndUploadsTheArtifact() throws Exception {
        GitRepo repo = builds.register(workDir, "shop", "");
        String sha = repo.commit("main", "shop", Map.of(
                "app.sh", "#!/bin/sh\necho hello\n",
                "pipeline.yaml", """
                        version: 1
                        stages:
                          - name: build
                            steps:
                              - name: compile
                                run: mkdir -p dist/bin && cp app.sh dist/bin/start && chmod +x dist/bin/start && echo compiled on $(hostname)
                        artifact:
                          path: dist
                        """));
        try (AgentProcess agent = agent("builder-1", "--slots", "2")) {
            String buildId = builds.start("shop", sha, "main");

            JsonNode build = builds.awaitFinished(buildId);

            assertThat(build.get("status").asText()).as(builds.log(buildId, 200)).isEqualTo("passed");
            assertThat(build.get("agent_id").asText()).endsWith(":builder-1");
            assertThat(builds.log(buildId, 200)).contains("compiled on");
            String digest = build.get("artifact_sha").asText();
            JsonNode artifact = api.get("/api/artifacts/" + digest, ADMIN).json();
            assertThat(artifact.toString()).contains(buildId);
            Api.Reply blob = api.get("/api/artifacts/" + digest + "/blob", ADMIN);
            assertThat(blob.status()).as(blob.body()).isEqualTo(200);

            JsonNode agents = api.get("/api/agents", ADMIN).json().get("agents");
            JsonNode listed = find(agents, "builder-1");
            assertThat(listed.get("slots").asInt()).isEqualTo(2);
            assertThat(listed.get("labels").toString()).contains("sandbox");
        }
    }

    @Test
    void aBuildThatNeedsALabelWaitsForAnAgentThatHasIt() throws Exception {
        GitRepo repo = builds.register(workDir, "gpu-model", "");
        String sha = repo.commit("main", "train", Map.of("pipeline.yaml", """
                version: 1
                agent_labels: [gpu]
                stages:
                  - name: train
                    steps:
                      - name: fit
                        run: echo trained
                """));
        try (AgentProcess plain = agent("plain-1")) {
            String buildId = builds.start("gpu-model", sha, "main");
            builds.awaitLog(buildId, "needs an agent with the labels gpu, sandbox");
            JsonNode waiting = awaitField(buildId, "required_labels");
            assertThat(waiting.get("status").asText()).isEqualTo("queued");
            assertThat(waiting.get("required_labels").toString()).isEqualTo("[\"gpu\",\"sandbox\"]");
            assertThat(waiting.get("attempt").asInt()).as("handing back for labels is no attempt").isZero();

            try (AgentProcess gpu = agent("gpu-1", "--labels", "gpu")) {
                JsonNode build = builds.awaitFinished(buildId);
                assertThat(build.get("status").asText()).as(builds.log(buildId, 200)).isEqualTo("passed");
                assertThat(build.get("agent_id").asText()).endsWith(":gpu-1");
                assertThat(build.get("attempt").asInt()).isEqualTo(1);
                assertThat(builds.log(buildId, 200)).contains("trained");
            }
        }
    }

    @Test
    void aKilledAgentsBuildRunsAgainOnAnotherAgent() throws Exception {
        GitRepo repo = builds.register(workDir, "slow", "");
        String sha = repo.commit("main", "slow", Map.of("pipeline.yaml", """
                version: 1
                agent_labels: [doomed]
                stages:
                  - name: build
                    steps:
                      - name: wait
                        run: echo started && sleep 4 && echo finished
                """));
        String buildId;
        try (AgentProcess doomed = agent("doomed-1", "--labels", "doomed")) {
            buildId = builds.start("slow", sha, "main");
            builds.awaitLog(buildId, "started");
            doomed.kill();
        }
        assertThat(builds.get(buildId).get("status").asText()).isIn("building", "queued");
        try (AgentProcess survivor = agent("survivor-1", "--labels", "doomed")) {
            JsonNode build = builds.awaitFinished(buildId);

            assertThat(build.get("status").asText()).as(builds.log(buildId, 300)).isEqualTo("passed");
            assertThat(build.get("attempt").asInt()).isEqualTo(2);
            assertThat(build.get("agent_id").asText()).endsWith(":survivor-1");
            String log = builds.log(buildId, 300);
            assertThat(log).contains("attempt 2 of 3").contains("finished");
        }
    }

    @Test
    void aCancelledBuildStopsOnItsAgent() throws Exception {
        GitRepo repo = builds.register(workDir, "endless", "");
        String sha = repo.commit("main", "endless", Map.of("pipeline.yaml", """
                version: 1
                stages:
                  - name: build
                    steps:
                      - name: forever
                        run: echo looping && sleep 600
                """));
        try (AgentProcess agent = agent("canceller-1")) {
            String buildId = builds.start("endless", sha, "main");
            builds.awaitLog(buildId, "looping");

            Api.Reply cancel = api.post("/api/builds/" + buildId + "/cancel", ADMIN, "{}");
            assertThat(cancel.status()).as(cancel.body()).isIn(200, 202);

            assertThat(builds.awaitFinished(buildId).get("status").asText()).isEqualTo("cancelled");
        }
    }

    @Test
    void aClaimNoAgentConfirmsGoesBackToTheQueueWithoutCostingAnAttempt() throws Exception {
        GitRepo repo = builds.register(workDir, "unconfirmed", "");
        String sha = repo.commit("main", "unconfirmed", Map.of("pipeline.yaml", """
                version: 1
                stages:
                  - name: build
                    steps:
                      - name: hello
                        run: echo confirmed at last
                """));
        String buildId = builds.start("unconfirmed", sha, "main");
        // an agent that dies right after its claim is answered: it never asks for the build's source
        JsonNode lease = null;
        for (int claims = 0; claims < 5 && (lease == null || !lease.get("build_id").asText().equals(buildId)); claims++) {
            Api.Reply claimed = api.post("/api/agent/claim", agentToken, "{\"name\":\"vanishing-1\",\"wait_seconds\":10}");
            assertThat(claimed.status()).as(claimed.body()).isEqualTo(200);
            lease = claimed.json();
        }
        assertThat(lease.get("build_id").asText()).isEqualTo(buildId);
        assertThat(builds.get(buildId).get("status").asText()).isEqualTo("building");

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode build = builds.get(buildId);
        while (!build.get("status").asText().equals("queued") && System.nanoTime() < deadline) {
            Thread.sleep(100);
            build = builds.get(buildId);
        }
        assertThat(build.get("status").asText()).as(build.toString()).isEqualTo("queued");
        assertThat(build.get("attempt").asInt()).as("a claim never confirmed is no attempt").isZero();

        try (AgentProcess agent = agent("confirming-1")) {
            JsonNode finished = builds.awaitFinished(buildId);
            assertThat(finished.get("status").asText()).as(builds.log(buildId, 200)).isEqualTo("passed");
            assertThat(finished.get("attempt").asInt()).isEqualTo(1);
            assertThat(builds.log(buildId, 200)).contains("confirmed at last");
        }
    }

    @Test
    void agentTokensOpenOnlyTheAgentProtocolAndUsersCannotLeaseBuilds() throws Exception {
        String token = newAgentToken("narrow");
        Api.Reply asUserRoute = api.get("/api/builds", token);
        assertThat(asUserRoute.status()).isEqualTo(403);
        assertThat(asUserRoute.body()).contains("agent token may only call");
        Api.Reply adminClaims = api.post("/api/agent/claim", ADMIN, "{\"name\":\"sneaky\",\"wait_seconds\":0}");
        assertThat(adminClaims.status()).isEqualTo(403);
        assertThat(api.post("/api/agent/claim", "gtyagt_not-a-real-token", "{\"name\":\"x\"}").status()).isEqualTo(401);
        assertThat(api.post("/api/agent/builds/nope/heartbeat", token, "{\"lease_token\":1}").json()
                .get("lease_held").asBoolean()).isFalse();

        String id = tokenId("narrow");
        assertThat(api.delete("/api/agent-tokens/" + id, ADMIN).status()).isEqualTo(204);
        AgentProcess refused = AgentProcess.start(workDir, server.url(), token, "refused-1", List.of());
        assertThat(refused.awaitExit(START)).as(refused.output()).isEqualTo(3);
        assertThat(refused.output()).contains("the agent token is unknown or was deleted");

        AgentProcess noToken = AgentProcess.start(workDir, server.url(), null, "tokenless-1", List.of());
        assertThat(noToken.awaitExit(START)).isEqualTo(2);
        assertThat(noToken.output()).contains("GANTRY_AGENT_TOKEN");
        Path userTokenFile = workDir.resolve("user-token");
        Files.writeString(userTokenFile, ADMIN);
        AgentProcess userToken = AgentProcess.start(workDir, server.url(), null, "user-token-1",
                List.of("--token-file", userTokenFile.toString()));
        assertThat(userToken.awaitExit(START)).isEqualTo(2);
        assertThat(userToken.output()).contains("not an agent token");
    }

    private static String tokenId(String name) {
        for (JsonNode token : api.get("/api/agent-tokens", ADMIN).json().get("tokens")) {
            if (token.get("name").asText().equals(name)) {
                return token.get("id").asText();
            }
        }
        throw new AssertionError("no agent token " + name);
    }

    private static JsonNode find(JsonNode agents, String name) {
        List<String> names = new ArrayList<>();
        for (JsonNode agent : agents) {
            if (agent.get("name").asText().equals(name)) {
                return agent;
            }
            names.add(agent.get("name").asText());
        }
        throw new AssertionError("no agent " + name + " in " + names);
    }

    private static JsonNode awaitField(String buildId, String field) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode build = builds.get(buildId);
        while (System.nanoTime() < deadline) {
            build = builds.get(buildId);
            if (build.hasNonNull(field) && build.get("status").asText().equals("queued")) {
                return build;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("build " + buildId + " never showed " + field + ": " + build);
    }
}
