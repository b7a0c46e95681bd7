package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** What the build tests do through the API, as the admin: register repositories, start and follow builds. */
final class BuildClient {
    private final Api api;

    BuildClient(Api api) {
        this.api = api;
    }

    /** A new bare repository under {@code workDir}, registered as {@code name}; {@code settings} are more JSON fields. */
    GitRepo register(Path workDir, String name, String settings) {
        GitRepo repo = GitRepo.create(workDir, name);
        Api.Reply created = api.post("/api/repos", GantryProcess.ADMIN_TOKEN,
                "{\"name\":\"" + name + "\",\"url\":\"" + repo.bare() + "\"" + settings + "}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return repo;
    }

    /** A GitHub push webhook for {@code sha} on {@code branch} of the repository {@code name}, signed with {@code secret}. */
    Api.Reply push(String name, GitRepo repo, String branch, String sha, String delivery, String secret) {
        String body = payload(name, repo, branch, sha);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String signature = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
            return api.send("POST", "/api/webhooks/github", Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery", delivery,
                    "X-Hub-Signature-256", signature), "application/json", body.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The body of a GitHub push webhook. */
    static String payload(String name, GitRepo repo, String branch, String sha) {
        return """
                {"ref":"refs/heads/%s","before":"0000000000000000000000000000000000000000","after":"%s",
                 "repository":{"full_name":"acme/%s","clone_url":"%s","html_url":"https://example.invalid/acme/%s"},
                 "pusher":{"name":"dev"},"head_commit":{"id":"%s","message":"x"}}
                """.formatted(branch, sha, name, repo.bare(), name, sha);
    }

    /** Queues a build of a new commit (201) and returns its id. */
    String start(String repo, String sha, String branch) {
        Api.Reply build = api.post("/api/builds", GantryProcess.ADMIN_TOKEN,
                "{\"repo\":\"" + repo + "\",\"commit_sha\":\"" + sha + "\",\"branch\":\"" + branch + "\"}");
        assertThat(build.status()).as(build.body()).isEqualTo(201);
        assertThat(build.json().get("status").asText()).isIn("queued", "building", "testing");
        return build.json().get("build_id").asText();
    }

    JsonNode get(String buildId) {
        return api.get("/api/builds/" + buildId, GantryProcess.ADMIN_TOKEN).json();
    }

    JsonNode awaitFinished(String buildId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        JsonNode build = null;
        while (System.nanoTime() < deadline) {
            build = get(buildId);
            if (List.of("passed", "failed", "cancelled").contains(build.get("status").asText())) {
                return build;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("build " + buildId + " did not finish: " + build + "\n" + log(buildId, 200));
    }

    void awaitLog(String buildId, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (log(buildId, 1000).contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the log of " + buildId + " never showed '" + text + "':\n" + log(buildId, 200));
    }

    /** The last {@code lines} lines of the build's log, one per line. */
    String log(String buildId, int lines) {
        StringBuilder text = new StringBuilder();
        api.get("/api/builds/" + buildId + "/logs?lines=" + lines, GantryProcess.ADMIN_TOKEN).json().path("logs")
                .forEach(line -> text.append(line.get("message").asText()).append('\n'));
        return text.toString();
    }
}
