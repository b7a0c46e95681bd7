package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Canary analysis end to end: the sample service (latency from sleeping, so the machine stays quiet) behind the real
 * router with real traffic, judged by the bundled Mann-Whitney analyzer against fresh baseline instances. A version
 * that behaves the same is promoted by itself; one 50% slower and one failing 5% of requests are rolled back by
 * themselves; a canary without traffic pauses for a person; a signed health webhook rolls a deploy back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class CanaryAnalysisIT {
    private static final String ADMIN = GantryProcess.ADMIN_TOKEN;
    private static final Duration DEPLOY_TIMEOUT = Duration.ofSeconds(120);
    private static final String DELAY = "HELLO_DELAY_MS";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path workDir;
    private GantryProcess server;
    private DeployClient deploys;
    private int routerPort;
    private DeployClient.Traffic traffic;

    @BeforeAll
    void start() throws Exception {
        server = GantryProcess.start(workDir, Map.of());
        server.awaitReady(Duration.ofSeconds(120));
        deploys = new DeployClient(new Api(server.url()));
        routerPort = GantryProcess.freePort();
        // test-sized windows: 10 s per canary step, a look every 2 s, a 6 s soak after promotion
        deploys.environment("production", routerPort, """
                , "health_timeout": "20s", "bake": "6s", "max_error_rate": 0.5,
                 "analysis": {"interval": "2s", "extension": "12s", "alpha": 0.05}""");
        deploys.service("""
                {"service": "judged", "instances": 2, "health_path": "/healthz",
                 "strategy": {"type": "canary", "steps": [{"weight": 10, "hold": "10s"}, {"weight": 50, "hold": "10s"}, {"weight": 100}]}}""");
        String v1 = deploys.upload(workDir, "v1", Map.of(DELAY, "20"));
        JsonNode first = deploys.await(deploys.start("judged", v1, "production"), DEPLOY_TIMEOUT, "succeeded", "failed", "rolled_back");
        assertThat(first.get("status").asText()).as(first.toPrettyString()).isEqualTo("succeeded");
        // four clients, each sending its next request 3 ms after an answer: about 150 requests/s
        traffic = new DeployClient.Traffic(routerPort, 4);
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (traffic != null) {
            traffic.close();
        }
        if (server != null) {
            server.close();
        }
        DeployClient.killTargets(workDir);
    }

    @Test
    @Order(1)
    void aVersionThatBehavesTheSameIsPromotedByItself() throws Exception {
        String v2 = deploys.upload(workDir, "v2", Map.of(DELAY, "20"));
        String id = deploys.start("judged", v2, "production");
        JsonNode done = deploys.await(id, DEPLOY_TIMEOUT, "succeeded", "failed", "rolled_back", "paused");
        assertThat(done.get("status").asText()).as(done.toPrettyString()).isEqualTo("succeeded");
        String release = done.at("/release/release_id").asText();
        assertThat(done.at("/weights/box/" + release).asInt()).isEqualTo(100);

        List<JsonNode> looks = looks(id);
        List<String> promoted = looks.stream().filter(look -> look.get("decision").asText().equals("promote"))
                .map(look -> look.get("kind").asText()).toList();
        // both canary steps and the soak passed their final looks
        assertThat(promoted).as(looksText(looks)).containsExactly("canary", "canary", "soak");
        JsonNode firstPass = looks.stream().filter(look -> look.get("decision").asText().equals("promote")).findFirst().orElseThrow();
        assertThat(firstPass.get("canary_version").asText()).isEqualTo(release);
        assertThat(firstPass.get("baseline_version").asText()).endsWith(".baseline");
        JsonNode latency = metric(firstPass, "latency_ms");
        assertThat(latency.get("verdict").asText()).isEqualTo("pass");
        assertThat(latency.at("/canary/count").asInt()).isGreaterThanOrEqualTo(100);
        assertThat(latency.at("/baseline/count").asInt()).isGreaterThanOrEqualTo(100);
        assertThat(latency.at("/canary/median").asDouble()).isBetween(15.0, 60.0);
        assertThat(latency.get("bin_edges")).hasSize(21);
        assertThat(latency.at("/canary/histogram")).hasSize(20);
        assertThat(latency.at("/baseline/histogram")).hasSize(20);
        assertThat(latency.get("p_value").asDouble()).isBetween(0.0, 1.0);
        assertThat(metric(firstPass, "error").at("/canary/errors").asInt()).isZero();
        // the baseline instances are gone once the canary reached 100%
        Thread.sleep(300);
        assertThat(traffic.since(System.nanoTime() - 200_000_000L)).isNotEmpty()
                .allMatch(hit -> hit.body().equals("hello from v2"));
    }

    @Test
    @Order(2)
    void aSlowerVersionIsRolledBackByItself() throws Exception {
        String slow = deploys.upload(workDir, "slow", Map.of(DELAY, "30"));
        String id = deploys.start("judged", slow, "production");
        JsonNode done = deploys.await(id, DEPLOY_TIMEOUT, "succeeded", "failed", "rolled_back", "paused");
        assertThat(done.get("status").asText()).as(done.toPrettyString()).isEqualTo("rolled_back");
        assertThat(done.get("reason").asText()).contains("canary analysis failed").contains("latency_ms");
        JsonNode failed = last(looks(id));
        assertThat(failed.get("decision").asText()).isEqualTo("rollback");
        assertThat(failed.get("kind").asText()).isEqualTo("canary");
        JsonNode latency = metric(failed, "latency_ms");
        assertThat(latency.get("verdict").asText()).isEqualTo("fail");
        assertThat(latency.get("effect").asDouble()).as("the canary is about 50%% slower").isGreaterThan(0.2);
        assertThat(latency.at("/canary/p50").asDouble()).isGreaterThan(latency.at("/baseline/p50").asDouble());
        Thread.sleep(300);
        assertThat(traffic.since(System.nanoTime() - 200_000_000L)).isNotEmpty()
                .allMatch(hit -> hit.body().equals("hello from v2"));
    }

    @Test
    @Order(3)
    void aVersionWithErrorsIsRolledBackByItself() throws Exception {
        String failing = deploys.upload(workDir, "failing", Map.of(DELAY, "20", "HELLO_FAIL_RATE", "0.05"));
        String id = deploys.start("judged", failing, "production");
        JsonNode done = deploys.await(id, DEPLOY_TIMEOUT, "succeeded", "failed", "rolled_back", "paused");
        assertThat(done.get("status").asText()).as(done.toPrettyString()).isEqualTo("rolled_back");
        assertThat(done.get("reason").asText()).contains("canary analysis failed").contains("error");
        JsonNode errors = metric(last(looks(id)), "error");
        assertThat(errors.get("verdict").asText()).isEqualTo("fail");
        assertThat(errors.at("/canary/errors").asInt()).isGreaterThan(errors.at("/baseline/errors").asInt());
        Thread.sleep(300);
        assertThat(traffic.since(System.nanoTime() - 200_000_000L)).isNotEmpty()
                .allMatch(hit -> hit.body().equals("hello from v2"));
    }

    @Test
    @Order(4)
    void aSignedHealthWebhookRollsTheDeployBack() throws Exception {
        String secret = "monitor-secret";
        String body = "{\"service\": \"judged\", \"environment\": \"production\", \"status\": \"unhealthy\", \"reason\": \"p99 alert\"}";
        // before an admin sets the secret, the webhook is off
        assertThat(healthWebhook(body, sign("anything", body)).statusCode()).isEqualTo(409);
        Api.Reply put = deploys.api().method("PUT", "/api/secrets", ADMIN,
                "{\"scope\": \"global\", \"name\": \"health-webhook\", \"value\": \"" + secret + "\"}");
        assertThat(put.status()).as(put.body()).isIn(200, 201);
        // nothing runs: nothing to roll back
        assertThat(healthWebhook(body, sign(secret, body)).statusCode()).isEqualTo(409);

        String v3 = deploys.upload(workDir, "v3", Map.of(DELAY, "20"));
        String id = deploys.start("judged", v3, "production");
        long deadline = System.nanoTime() + DEPLOY_TIMEOUT.toNanos();
        while (!deploys.get(id).at("/step/kind").asText().equals("hold") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        HttpResponse<String> unsigned = healthWebhook(body, null);
        assertThat(unsigned.statusCode()).as(unsigned.body()).isEqualTo(401);
        HttpResponse<String> forged = healthWebhook(body, sign("not-the-secret", body));
        assertThat(forged.statusCode()).as(forged.body()).isEqualTo(401);
        assertThat(deploys.get(id).get("status").asText()).isEqualTo("in_progress");

        HttpResponse<String> alert = healthWebhook(body, sign(secret, body));
        assertThat(alert.statusCode()).as(alert.body()).isEqualTo(202);
        JsonNode done = deploys.await(id, DEPLOY_TIMEOUT, "succeeded", "failed", "rolled_back");
        assertThat(done.get("status").asText()).isEqualTo("rolled_back");
        assertThat(done.get("reason").asText()).contains("health webhook: p99 alert");
    }

    @Test
    @Order(5)
    void withoutTrafficTheCanaryPausesForAPersonInsteadOfPassing() throws Exception {
        traffic.close();
        String quiet = deploys.upload(workDir, "quiet", Map.of(DELAY, "20"));
        String id = deploys.start("judged", quiet, "production");
        JsonNode paused = deploys.await(id, DEPLOY_TIMEOUT, "succeeded", "failed", "rolled_back", "paused");
        assertThat(paused.get("status").asText()).as(paused.toPrettyString()).isEqualTo("paused");
        assertThat(paused.get("reason").asText()).contains("inconclusive");
        List<JsonNode> looks = looks(id);
        assertThat(looks).as(looksText(looks)).isNotEmpty()
                .noneMatch(look -> look.get("verdict").asText().equals("pass") && look.get("final_look").asBoolean());
        assertThat(looks.stream().map(look -> look.get("decision").asText())).contains("extend").endsWith("pause");
        Api.Reply rollback = deploys.api().post("/api/deploys/" + id + "/rollback", ADMIN, "{\"reason\": \"no traffic to judge by\"}");
        assertThat(rollback.status()).as(rollback.body()).isEqualTo(200);
        assertThat(deploys.await(id, DEPLOY_TIMEOUT, "succeeded", "failed", "rolled_back").get("status").asText())
                .isEqualTo("rolled_back");
    }

    private List<JsonNode> looks(String deployId) {
        Api.Reply reply = deploys.api().get("/api/deploys/" + deployId + "/analysis", ADMIN);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        List<JsonNode> looks = new ArrayList<>();
        reply.json().get("looks").forEach(looks::add);
        // the looks in words, in the test's output: what a person reading a failed run needs first
        System.out.println("Analysis of deploy " + deployId + ":\n" + looksText(looks));
        return looks;
    }

    private static JsonNode last(List<JsonNode> looks) {
        assertThat(looks).isNotEmpty();
        return looks.get(looks.size() - 1);
    }

    private static JsonNode metric(JsonNode look, String name) {
        for (JsonNode metric : look.get("metrics")) {
            if (metric.get("metric").asText().equals(name)) {
                return metric;
            }
        }
        throw new AssertionError("no metric " + name + " in " + look.toPrettyString());
    }

    private static String looksText(List<JsonNode> looks) {
        StringBuilder text = new StringBuilder();
        looks.forEach(look -> text.append(look.get("kind").asText()).append(' ').append(look.get("decision").asText())
                .append(": ").append(look.get("explanation").asText()).append('\n'));
        return text.toString();
    }

    private HttpResponse<String> healthWebhook(String body, String signature) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.url().resolve("/api/webhooks/health"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (signature != null) {
            request.header("X-Gantry-Signature-256", signature);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String sign(String secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }
}
