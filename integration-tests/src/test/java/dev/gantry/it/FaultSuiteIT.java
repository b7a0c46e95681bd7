package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults on one shared set of processes: a PostgreSQL server and an S3 server (s3proxy) that no Gantry process runs,
 * two server replicas using them, and build agents, one of them on a "host" of its own (a network namespace joined
 * by a veth pair, so its link can be cut). Each scenario breaks one part and checks the end state from the outside:
 * the API, the builds' logs, the bucket. Needs root (namespaces, a tmpfs); elsewhere the suite is skipped, saying so.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class FaultSuiteIT {
    private static final String ADMIN = GantryProcess.ADMIN_TOKEN;
    private static final Duration START = Duration.ofSeconds(120);
    /** Short, so that a lost agent's build is queued again quickly (it is renewed every third of this). */
    private static final String LEASE_TTL = "8s";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path workDir;
    private static FaultParts.Postgres postgres;
    private static FaultParts.S3 s3;
    private static FaultParts.Namespace remote;
    private static final List<GantryProcess> replicas = new ArrayList<>();
    private static final List<Api> apis = new ArrayList<>();
    private static BuildClient builds;
    private static String agentToken;
    private static AgentProcess remoteAgent;

    @BeforeAll
    static void start() throws Exception {
        assumeThat(FaultParts.runningAsRoot()).as("the fault suite needs root").isTrue();
        postgres = new FaultParts.Postgres().start();
        s3 = new FaultParts.S3(workDir.resolve("s3")).start();
        remote = new FaultParts.Namespace("gantryfault").create();
        Path config = workDir.resolve("gantry.properties");
        Files.writeString(config, String.join("\n", s3.settings()) + "\n");
        Map<String, String> shared = Map.of(
                "GANTRY_DATABASE_URL", postgres.url(),
                "GANTRY_DATABASE_USER", FaultParts.Postgres.USER,
                "GANTRY_DATABASE_PASSWORD", FaultParts.Postgres.PASSWORD,
                "GANTRY_MASTER_KEY", Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32)),
                "GANTRY_HTTP_HOST", "0.0.0.0", // the agent in the namespace reaches the host's end of its link
                "GANTRY_BUILD_AGENT_SLOTS", "0",
                "GANTRY_BUILD_LEASE_TTL", LEASE_TTL);
        for (String name : List.of("replica-a", "replica-b")) {
            Path dir = Files.createDirectories(workDir.resolve(name));
            replicas.add(GantryProcess.start(dir, shared, List.of("--config", config.toString())));
        }
        for (GantryProcess replica : replicas) {
            replica.awaitReady(START);
            apis.add(new Api(replica.url()));
        }
        Api.Reply secret = apis.get(0).method("PUT", "/api/secrets", ADMIN, "{\"scope\":\"global\",\"name\":"
                + "\"s3-secret-access-key\",\"value\":\"" + FaultParts.S3.SECRET_KEY + "\"}");
        assertThat(secret.status()).as(secret.body()).isEqualTo(200);
        builds = new BuildClient(apis.get(1));
        agentToken = apis.get(0).post("/api/agent-tokens", ADMIN, "{\"name\":\"faults\"}").json().get("token").asText();
        URI throughLink = URI.create("http://" + FaultParts.Namespace.HOST_ADDRESS + ":" + replicas.get(0).url().getPort() + "/");
        remoteAgent = AgentProcess.start(workDir, throughLink, agentToken, "remote-1", List.of("--labels", "remote"),
                remote.exec()).awaitWorking(START);
    }

    @AfterAll
    static void stop() throws Exception {
        if (remoteAgent != null) {
            remoteAgent.close();
        }
        replicas.forEach(GantryProcess::close);
        if (remote != null) {
            remote.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private static String commit(String repo, String pipeline) {
        return builds.register(workDir, repo, "").commit("main", repo, Map.of("pipeline.yaml", pipeline));
    }

    @Test
    @Order(1)
    void anAgentCutOffForLessThanItsLeaseLosesNoLogLineAndNoAttempt() throws Exception {
        String sha = commit("cut-short", """
                version: 1
                agent_labels: [remote]
                stages:
                  - name: build
                    steps:
                      - name: count
                        run: for i in $(seq 1 40); do echo line-$i; sleep 0.2; done
                """);
        String id = builds.start("cut-short", sha, "main");
        // followed on the replica the agent does not talk to: the log reaches it through the database
        CompletableFuture<List<String>> followed = CompletableFuture.supplyAsync(() -> follow(replicas.get(1), id));
        builds.awaitLog(id, "line-5");

        remote.cut();
        Thread.sleep(4000); // half the lease
        remote.restore();

        JsonNode build = builds.awaitFinished(id);
        assertThat(build.get("status").asText()).as(builds.log(id, 300)).isEqualTo("passed");
        assertThat(build.get("attempt").asInt()).isEqualTo(1);
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            expected.add("line-" + i);
        }
        assertThat(builds.log(id, 300).lines().filter(line -> line.startsWith("line-")).toList()).isEqualTo(expected);
        assertThat(followed.get(60, TimeUnit.SECONDS)).isEqualTo(expected);
    }

    /** The step output lines of a build's log as {@code GET /logs?follow=true} on {@code replica} streams them. */
    private static List<String> follow(GantryProcess replica, String buildId) {
        Pattern message = Pattern.compile("\"message\":\"(line-\\d+)\"");
        List<String> lines = new ArrayList<>();
        try {
            HttpResponse<java.io.InputStream> stream = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            replica.url().resolve("/api/builds/" + buildId + "/logs?follow=true"))
                    .header("Authorization", "Bearer " + ADMIN).header("Accept", "text/event-stream").build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(stream.body(),
                    java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null && !line.equals("event: end"); ) {
                    Matcher found = message.matcher(line);
                    if (found.find()) {
                        lines.add(found.group(1));
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("following the log failed", e);
        }
        return lines;
    }

    @Test
    @Order(2)
    void anAgentCutOffForLongerThanItsLeaseIsReplacedAndCannotWriteAfterwards() throws Exception {
        String sha = commit("cut-long", """
                version: 1
                agent_labels: [remote]
                stages:
                  - name: build
                    steps:
                      - name: slow
                        run: echo begun && sleep 5 && echo ended
                """);
        String id = builds.start("cut-long", sha, "main");
        builds.awaitLog(id, "begun");
        remote.cut();
        try (AgentProcess local = AgentProcess.start(workDir, replicas.get(1).url(), agentToken, "local-1",
                List.of("--labels", "remote")).awaitWorking(START)) {
            JsonNode build = builds.awaitFinished(id);
            assertThat(build.get("status").asText()).as(builds.log(id, 300)).isEqualTo("passed");
            assertThat(build.get("attempt").asInt()).isEqualTo(2);
            assertThat(build.get("agent_id").asText()).endsWith(":local-1");
        } finally {
            remote.restore();
        }
        // the cut-off agent learns that it lost the lease; the finished build keeps the outcome it has
        Thread.sleep(8000);
        JsonNode after = builds.get(id);
        assertThat(after.get("status").asText()).isEqualTo("passed");
        assertThat(after.get("agent_id").asText()).endsWith(":local-1");
        assertThat(builds.log(id, 300)).contains("attempt 2 of 3");
    }

    @Test
    @Order(3)
    void everyReplicaRecoversFromAPostgresRestartAndNoAnswerIsLost() throws Exception {
        String sha = commit("after-restart", """
                version: 1
                agent_labels: [remote]
                stages: [{name: build, steps: [{name: ok, run: echo survived}]}]
                """);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> outcomes = new ConcurrentLinkedQueue<>();
        List<Thread> load = new ArrayList<>();
        for (GantryProcess replica : replicas) {
            Thread thread = new Thread(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(replica.url().resolve("/api/builds?limit=5"))
                                .header("Authorization", "Bearer " + ADMIN).timeout(Duration.ofSeconds(60)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        boolean explained = response.statusCode() == 200 || response.body().contains("\"error\"");
                        outcomes.add(response.statusCode() + (explained ? "" : " without an error body: " + response.body()));
                    } catch (IOException | InterruptedException e) {
                        outcomes.add("no answer: " + e);
                    }
                }
            }, "load-" + replica.url().getPort());
            thread.start();
            load.add(thread);
        }
        Thread.sleep(2000);
        postgres.stop();
        Thread.sleep(5000);
        postgres.start();
        for (Api api : apis) {
            FaultParts.await(Duration.ofSeconds(90), "the replica answering again",
                    () -> api.get("/api/builds?limit=1", ADMIN).status() == 200);
        }
        Thread.sleep(2000);
        running.set(false);
        for (Thread thread : load) {
            thread.join(70_000);
        }

        assertThat(outcomes).filteredOn(outcome -> outcome.startsWith("no answer") || outcome.contains("without"))
                .as("requests that got no answer, or an error without a reason").isEmpty();
        assertThat(outcomes).contains("200");
        // the notification feeds reconnected: a build queued now is picked up at once and runs
        String id = builds.start("after-restart", sha, "main");
        JsonNode build = builds.awaitFinished(id);
        assertThat(build.get("status").asText()).as(builds.log(id, 100)).isEqualTo("passed");
        assertThat(builds.log(id, 100)).contains("survived");
    }

    @Test
    @Order(4)
    void anArtifactUploadedWhileS3IsDownArrivesWhenItIsBackAndNothingHalfWrittenShows() throws Exception {
        String sha = commit("s3-outage", """
                version: 1
                agent_labels: [remote]
                stages:
                  - name: build
                    steps:
                      - name: pack
                        run: mkdir -p dist/bin && printf '#!/bin/sh\\necho hi\\n' > dist/bin/start && chmod +x dist/bin/start && head -c 3000000 /dev/urandom > dist/blob && echo packed
                artifact:
                  path: dist
                """);
        long objectsBefore = s3.objects();
        s3.stop();
        String id = builds.start("s3-outage", sha, "main");
        builds.awaitLog(id, "packed");
        Thread.sleep(30_000 - 2_000);
        assertThat(builds.get(id).get("status").asText()).as("still uploading, with retries").isEqualTo("building");
        assertThat(apis.get(0).get("/api/artifacts?build_id=" + id, ADMIN).json().get("artifacts")).isEmpty();
        s3.start();

        JsonNode build = builds.awaitFinished(id);
        assertThat(build.get("status").asText()).as(builds.log(id, 100)).isEqualTo("passed");
        String digest = build.get("artifact_sha").asText();
        assertThat(s3.objects()).isEqualTo(objectsBefore + 1);
        JsonNode artifact = apis.get(1).get("/api/artifacts/" + digest, ADMIN).json();
        assertThat(artifact.get("size_bytes").asLong()).isGreaterThan(3_000_000L);
        assertThat(apis.get(1).get("/api/artifacts/" + digest + "/blob", ADMIN).status()).isEqualTo(200);
    }

    @Test
    @Order(5)
    void aFullDiskFailsTheBuildThatFilledItAndTheAgentGoesOn() throws Exception {
        GitRepo repo = builds.register(workDir, "disk-full", "");
        String sha = repo.commit("main", "fill", Map.of("pipeline.yaml", """
                version: 1
                agent_labels: [small-disk]
                stages: [{name: build, steps: [{name: fill, run: dd if=/dev/zero of=big bs=1M count=64}]}]
                """));
        Path data = Files.createDirectories(workDir.resolve("agent-small-1").resolve("data"));
        FaultParts.mountTmpfs(data, "48m");
        try (AgentProcess small = AgentProcess.start(workDir, replicas.get(0).url(), agentToken, "small-1",
                List.of("--labels", "small-disk", "--plugins", "builder-sandbox,scm-git")).awaitWorking(START)) {
            String id = builds.start("disk-full", sha, "main");
            JsonNode build = builds.awaitFinished(id);
            assertThat(build.get("status").asText()).isEqualTo("failed");
            assertThat(builds.log(id, 100)).contains("No space left on device");
            assertThat(build.get("failure_reason").asText()).contains("fill");

            String fine = repo.commit("main", "fits", Map.of("pipeline.yaml", """
                    version: 1
                    agent_labels: [small-disk]
                    stages: [{name: build, steps: [{name: small, run: dd if=/dev/zero of=small bs=1M count=4 && echo fits}]}]
                    """));
            String next = builds.start("disk-full", fine, "main");
            JsonNode after = builds.awaitFinished(next);
            assertThat(after.get("status").asText()).as(builds.log(next, 100)).isEqualTo("passed");
            assertThat(builds.log(next, 100)).contains("fits");
        } finally {
            FaultParts.unmount(data);
        }
    }
}
