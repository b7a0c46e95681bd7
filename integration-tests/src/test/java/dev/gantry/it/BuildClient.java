package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
