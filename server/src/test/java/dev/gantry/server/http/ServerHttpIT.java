package dev.gantry.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.server.testing.Api;
import dev.gantry.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ServerHttpIT {
    private static TestServer server;
    private static Api api;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        api = server.api();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void healthReadinessAndMetricsNeedNoToken() {
        assertThat(api.get("/healthz", null).status()).isEqualTo(200);
        Api.Reply ready = api.get("/readyz", null);
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("status").asText()).isEqualTo("ready");
        Api.Reply metrics = api.get("/metrics", null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(metrics.body()).contains("jvm_memory_used_bytes").contains("gantry_http_request_duration_seconds");
    }

    @Test
    void unknownPathIsA404WithJsonBody() {
        for (String path : new String[] {"/api/nothing-here", "/no/such/page"}) {
            Api.Reply reply = api.get(path, TestServer.ADMIN_TOKEN);
            assertThat(reply.status()).as(path).isEqualTo(404);
            assertThat(reply.error()).isEqualTo("not_found");
            assertThat(reply.json().has("message")).isTrue();
            assertThat(reply.json().has("details")).isTrue();
        }
    }

    @Test
    void malformedJsonIsA400NamingLineAndColumn() {
        Api.Reply reply = api.post("/api/users", TestServer.ADMIN_TOKEN, "{\"name\": \"x\",\n \"role\": }");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.error()).isEqualTo("malformed_json");
        assertThat(reply.json().at("/details/line").asInt()).isEqualTo(2);
        assertThat(reply.json().at("/details/column").asInt()).isPositive();
    }

    @Test
    void unknownFieldAndBadEnumAreClear400s() {
        Api.Reply unknown = api.post("/api/users", TestServer.ADMIN_TOKEN, "{\"name\":\"ann\",\"role\":\"viewer\",\"colour\":1}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("message").asText()).isEqualTo("unknown field 'colour'");
        Api.Reply badRole = api.post("/api/users", TestServer.ADMIN_TOKEN, "{\"name\":\"ann\",\"role\":\"boss\"}");
        assertThat(badRole.status()).isEqualTo(400);
        assertThat(badRole.json().get("message").asText()).contains("unknown role 'boss'").contains("viewer, developer, deployer, admin");
        Api.Reply missing = api.post("/api/users", TestServer.ADMIN_TOKEN, "{\"name\":\"ann\"}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.error()).isEqualTo("missing_field");
    }

    @Test
    void wrongMethodIs405AndWrongContentTypeIs415() {
        assertThat(api.method("PUT", "/api/users", TestServer.ADMIN_TOKEN, "{}").status()).isEqualTo(405);
        Api.Reply reply = api.postBytes("/api/users", TestServer.ADMIN_TOKEN, "text/plain", "hi".getBytes());
        assertThat(reply.status()).isEqualTo(415);
        assertThat(reply.error()).isEqualTo("unsupported_media_type");
    }

    @Test
    void theJdkHttpClientsDefaultUpgradeToHttp2IsServed() throws Exception {
        // the JDK client asks plain-http servers for an h2c upgrade; requests with bodies that end in errors used to
        // lose their connection instead of getting an answer (about one in 150 did, hence the count)
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        for (int i = 0; i < 400; i++) {
            String method = i % 2 == 0 ? "PUT" : "PATCH";
            String path = i % 4 < 2 ? "/api/plugins/x/enable" : "/api/users/x";
            java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(server.server().url().resolve(path))
                    .header("Content-Type", "application/json")
                    .method(method, java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
                    .build();
            java.net.http.HttpResponse<String> response = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(method + " " + path).isIn(401, 405);
            assertThat(response.body()).contains("\"error\"");
        }
    }

    @Test
    void theUiIsServedAtTheRoot() {
        Api.Reply page = api.get("/", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.body()).contains("Gantry");
        for (String escape : new String[] {"/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc/passwd"}) {
            Api.Reply reply = api.get(escape, null);
            assertThat(reply.status()).as(escape).isIn(400, 404);
            assertThat(reply.json().has("error")).as(escape).isTrue();
            assertThat(reply.body()).doesNotContain("root:");
        }
    }
}
