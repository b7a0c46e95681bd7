package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.server.testing.Api;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * From git push to artifact, on the distribution with its bundled plugins: real bare repositories pushed to with the
 * git CLI, GitHub-format webhooks signed with a real HMAC, steps in real bubblewrap sandboxes, the artifact in the
 * filesystem store, metadata in the embedded PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BuildsIT {
    private static final String ADMIN = GantryProcess.ADMIN_TOKEN;
    private static final String SECRET = "it-webhook-secret-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP = "#!/bin/sh\nexec echo serving on $PORT\n";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Path workDir;
    private GantryProcess gantry;
    private Api api;
    private BuildClient builds;

    @BeforeAll
    void start(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path workDir) throws InterruptedException {
        this.workDir = workDir;
        gantry = GantryProcess.start(workDir, Map.of());
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
    void aPushBuildsInASandboxAndStoresAReproducibleArtifact() throws Exception {
        GitRepo repo = register("shop");
        String sha = repo.commit("main", "first", Map.of(
                "pipeline.yaml", """
                        version: 1
                        stages:
                          - name: build
                            steps:
                              - name: compile
                                run: mkdir -p dist/bin && cp app.sh dist/bin/start && chmod +x dist/bin/start && echo compiled
                          - name: test
                            steps:
                              - name: unit
                                run: test -x dist/bin/start && echo tests passed
                        artifact:
                          path: dist
                        deploy:
                          service: shop
                        """,
                "app.sh", APP));

        Api.Reply delivery = builds.push("shop", repo, "main", sha, UUID.randomUUID().toString(), SECRET);
        assertThat(delivery.status()).as(delivery.body()).isEqualTo(202);
        String buildId = JSON.readTree(delivery.body()).get("build_id").asText();

        JsonNode build = awaitFinished(buildId);
        assertThat(build.get("status").asText()).as(logs(buildId)).isEqualTo("passed");
        assertThat(build.get("commit_sha").asText()).isEqualTo(sha);
        assertThat(build.get("duration_sec").asDouble()).isPositive();
        assertThat(build.get("stages").findValuesAsText("name")).contains("checkout", "build", "test", "compile", "unit");
        String artifact = build.get("artifact_sha").asText();
        assertThat(artifact).startsWith("sha256:");
        assertThat(logs(buildId)).contains("compiled", "tests passed");

        JsonNode stored = api.get("/api/artifacts/" + artifact, ADMIN).json();
        assertThat(stored.get("provenance").get(0).get("build_id").asText()).isEqualTo(buildId);
        assertThat(stored.get("provenance").get(0).get("commit_sha").asText()).isEqualTo(sha);
        assertThat(stored.get("provenance").get(0).get("service").asText()).isEqualTo("shop");
        byte[] bundle = http.send(HttpRequest.newBuilder(URI.create(stored.get("download_url").asText())).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
        assertThat(tarEntries(bundle)).containsExactly("bin/", "bin/start");

        // the same commit built again gives the same bytes
        Api.Reply rerun = api.post("/api/builds/" + buildId + "/rerun", ADMIN, "{}");
        assertThat(rerun.status()).as(rerun.body()).isEqualTo(201);
        JsonNode second = awaitFinished(rerun.json().get("build_id").asText());
        assertThat(second.get("status").asText()).isEqualTo("passed");
        assertThat(second.get("artifact_sha").asText()).isEqualTo(artifact);
    }

    @Test
    void stepsCannotReachTheNetwork() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            GitRepo repo = register("offline");
            // bash's /dev/tcp: the sandbox has bash from the host's /usr, read-only
            String sha = repo.commit("main", "try the network", Map.of("pipeline.yaml", """
                    version: 1
                    stages:
                      - name: build
                        steps:
                          - name: connect
                            run: bash -c 'if (echo hi > /dev/tcp/127.0.0.1/%d) 2>/dev/null; then echo CONNECTED; else echo no network; fi'
                    """.formatted(listener.getLocalPort())));
            String buildId = startBuild("offline", sha, "main");

            JsonNode build = awaitFinished(buildId);

            assertThat(build.get("status").asText()).as(logs(buildId)).isEqualTo("passed");
            assertThat(logs(buildId).lines()).contains("no network").doesNotContain("CONNECTED");
            listener.setSoTimeout(200);
            assertThat(acceptsWithin(listener)).as("a connection reached the host").isFalse();
        }
    }

    @Test
    void webhooksThatCannotBeTrustedStartNothing() throws Exception {
        GitRepo repo = register("guarded");
        String sha = repo.commit("main", "x", Map.of("pipeline.yaml", "version: 1\nstages: [{name: b, steps: [{name: s, run: 'true'}]}]\n"));

        assertThat(builds.push("guarded", repo, "main", sha, "d-1", "a-wrong-secret-0123456789").status()).isEqualTo(401);
        HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(gantry.url().resolve("/api/webhooks/github"))
                .header("Content-Type", "application/json").header("X-GitHub-Event", "push")
                .POST(HttpRequest.BodyPublishers.ofString(BuildClient.payload("guarded", repo, "main", sha))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unsigned.statusCode()).isEqualTo(401);
        HttpResponse<String> malformed = http.send(HttpRequest.newBuilder(gantry.url().resolve("/api/webhooks/github"))
                .header("Content-Type", "application/json").header("X-GitHub-Event", "push")
                .POST(HttpRequest.BodyPublishers.ofString("{not json")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(malformed.statusCode()).isEqualTo(400);
        GitRepo stranger = GitRepo.create(workDir, "unregistered");
        assertThat(builds.push("unregistered", stranger, "main", sha, "d-2", SECRET).status()).isEqualTo(404);
        assertThat(api.get("/api/builds?repo=guarded", ADMIN).json().get("builds")).isEmpty();

        Api.Reply first = builds.push("guarded", repo, "main", sha, "d-3", SECRET);
        Api.Reply redelivered = builds.push("guarded", repo, "main", sha, "d-3", SECRET);
        assertThat(first.status()).isEqualTo(202);
        assertThat(redelivered.status()).isEqualTo(200);
        assertThat(JSON.readTree(redelivered.body()).get("duplicate").asBoolean()).isTrue();
        assertThat(JSON.readTree(redelivered.body()).get("build_id")).isEqualTo(JSON.readTree(first.body()).get("build_id"));
        assertThat(api.get("/api/builds?repo=guarded", ADMIN).json().get("builds")).hasSize(1);

        // the same delivery four times at once: one of them queues the build, the others are told it is a duplicate
        // (the build itself would be queued once anyway, as one commit is built once at a time)
        String next = repo.commit("main", "y", Map.of("README", "y\n"));
        List<CompletableFuture<Api.Reply>> copies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            copies.add(CompletableFuture.supplyAsync(() -> builds.push("guarded", repo, "main", next, "d-4", SECRET)));
        }
        List<Integer> statuses = copies.stream().map(CompletableFuture::join).map(Api.Reply::status).sorted().toList();
        assertThat(statuses).containsExactly(200, 200, 200, 202);
        assertThat(api.get("/api/builds?repo=guarded", ADMIN).json().get("builds")).hasSize(2);
    }

    @Test
    void anInvalidPipelineFailsTheBuildNamingLineAndColumn() throws Exception {
        GitRepo repo = register("broken");
        String sha = repo.commit("main", "tab", Map.of("pipeline.yaml", "version: 1\nstages:\n\t- name: build\n"));

        JsonNode build = awaitFinished(startBuild("broken", sha, "main"));

        assertThat(build.get("status").asText()).isEqualTo("failed");
        assertThat(build.get("failure_reason").asText()).contains("pipeline.yaml").contains("line 3");
    }

    @Test
    void aCommitThatDoesNotExistFailsWithAClearReason() throws Exception {
        register("ghost");
        JsonNode build = awaitFinished(startBuild("ghost", "0123456789abcdef0123456789abcdef01234567", "main"));
        assertThat(build.get("status").asText()).isEqualTo("failed");
        assertThat(build.get("failure_reason").asText()).contains("0123456789abcdef0123456789abcdef01234567");
    }

    @Test
    void cancellingARunningBuildKillsItsProcesses() throws Exception {
        GitRepo repo = register("endless");
        String sha = repo.commit("main", "forever", Map.of("pipeline.yaml", """
                version: 1
                stages:
                  - name: build
                    steps:
                      - name: forever
                        run: echo started; (setsid sleep 3131 &); sleep 3130
                """));
        String buildId = startBuild("endless", sha, "main");
        builds.awaitLog(buildId, "started");

        Api.Reply cancel = api.post("/api/builds/" + buildId + "/cancel", ADMIN, "{}");

        assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
        JsonNode build = awaitFinished(buildId);
        assertThat(build.get("status").asText()).isEqualTo("cancelled");
        assertThat(build.get("failure_reason").asText()).contains("cancelled by admin");
        assertThat(processesNamed("sleep 313")).as("processes of the cancelled step").isEmpty();
    }

    @Test
    void secretsReachTheStepsButNeverTheLog() throws Exception {
        GitRepo repo = register("secretive");
        Api.Reply secret = api.method("PUT", "/api/secrets", ADMIN,
                "{\"scope\":\"repo:secretive\",\"name\":\"DEPLOY_KEY\",\"value\":\"s3cr3t-value-42\"}");
        assertThat(secret.status()).isEqualTo(200);
        String sha = repo.commit("main", "leak?", Map.of("pipeline.yaml", """
                version: 1
                secrets: [DEPLOY_KEY]
                stages:
                  - name: build
                    steps:
                      - name: show
                        run: echo "key is $DEPLOY_KEY"; test "$DEPLOY_KEY" = s3cr3t-value-42 && echo matches
                """));

        String buildId = startBuild("secretive", sha, "main");
        JsonNode build = awaitFinished(buildId);

        assertThat(build.get("status").asText()).isEqualTo("passed");
        assertThat(logs(buildId)).contains("key is ***", "matches").doesNotContain("s3cr3t-value-42");
    }

    @Test
    void dependenciesAreFetchedOnceForTheSameLockFiles() throws Exception {
        GitRepo repo = register("cached");
        String pipeline = """
                version: 1
                dependencies:
                  lock_files: [deps.lock]
                  run: echo fetched > /deps/marker && echo FETCHING
                stages:
                  - name: build
                    steps:
                      - name: use
                        run: cat /deps/marker && (touch /deps/x 2>/dev/null && echo WRITABLE || echo read-only)
                """;
        String first = repo.commit("main", "one", Map.of("pipeline.yaml", pipeline, "deps.lock", "lib 1.0\n", "a.txt", "1"));
        String firstBuild = startBuild("cached", first, "main");
        assertThat(awaitFinished(firstBuild).get("status").asText()).as(logs(firstBuild)).isEqualTo("passed");
        String second = repo.commit("main", "two", Map.of("a.txt", "2"));
        String secondBuild = startBuild("cached", second, "main");
        assertThat(awaitFinished(secondBuild).get("status").asText()).as(logs(secondBuild)).isEqualTo("passed");

        assertThat(logs(firstBuild)).contains("FETCHING", "fetched", "read-only");
        assertThat(logs(secondBuild)).contains("dependencies: cached", "fetched").doesNotContain("FETCHING");
    }

    @Test
    void logsAreServedAsTailAndFollowedLive() throws Exception {
        GitRepo repo = register("chatty");
        String sha = repo.commit("main", "talk", Map.of("pipeline.yaml", """
                version: 1
                stages:
                  - name: build
                    steps:
                      - name: talk
                        run: for i in $(seq 1 50); do echo line-$i; done; sleep 1; echo last-line
                """));
        String buildId = startBuild("chatty", sha, "main");

        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(gantry.url().resolve("/api/builds/" + buildId + "/logs?follow=true"))
                .header("Authorization", "Bearer " + ADMIN).header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> events = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                events.add(line);
                if (line.equals("event: end")) {
                    break;
                }
            }
        }
        String all = String.join("\n", events);
        assertThat(all).contains("line-1", "line-50", "last-line", "event: end", "\"status\":\"passed\"");
        assertThat(all.indexOf("\"message\":\"line-50\"")).isLessThan(all.indexOf("\"message\":\"last-line\""));

        JsonNode tail = api.get("/api/builds/" + buildId + "/logs?lines=3", ADMIN).json();
        assertThat(tail.get("logs")).hasSize(3);
        assertThat(tail.get("logs").get(2).get("message").asText()).contains("build passed");
    }

    private GitRepo register(String name) {
        return builds.register(workDir, name, ",\"provider\":\"github\",\"webhook_secret\":\"" + SECRET + "\"");
    }

    private String startBuild(String repo, String sha, String branch) {
        return builds.start(repo, sha, branch);
    }

    private JsonNode awaitFinished(String buildId) throws InterruptedException {
        return builds.awaitFinished(buildId);
    }

    private String logs(String buildId) {
        return builds.log(buildId, 10000);
    }

    private static boolean acceptsWithin(ServerSocket listener) throws IOException {
        try (Socket ignored = listener.accept()) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    private static List<String> processesNamed(String text) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> found;
        do {
            found = ProcessHandle.allProcesses()
                    .map(p -> p.info().commandLine().orElse(""))
                    .filter(line -> line.contains(text))
                    .toList();
        } while (!found.isEmpty() && System.nanoTime() < deadline && sleep());
        return found;
    }

    private static boolean sleep() {
        try {
            Thread.sleep(100);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static List<String> tarEntries(byte[] tarGz) throws IOException {
        List<String> names = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(tarGz))) {
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                String name = new String(header, 0, 100, StandardCharsets.US_ASCII).replace("\0", "");
                long size = Long.parseLong(new String(header, 124, 11, StandardCharsets.US_ASCII).trim(), 8);
                names.add(name);
                in.skipNBytes((size + 511) / 512 * 512);
            }
        }
        return names;
    }
}
