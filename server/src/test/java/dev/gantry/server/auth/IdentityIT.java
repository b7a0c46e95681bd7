package dev.gantry.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.server.testing.Api;
import dev.gantry.server.testing.TestServer;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IdentityIT {
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
    void anonymousCallsGet401WithAHint() {
        Api.Reply reply = api.get("/api/users/me", null);
        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.error()).isEqualTo("unauthenticated");
        assertThat(reply.json().get("message").asText()).contains("Authorization: Bearer");
        assertThat(reply.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"gantry\"");
        assertThat(api.get("/api/users/me", "gty_not-a-real-token").status()).isEqualTo(401);
        assertThat(api.get("/api/users/me", "not even the format").status()).isEqualTo(401);
    }

    @Test
    void bootstrapTokenFromTheEnvironmentIsTheAdmin() {
        Api.Reply me = api.get("/api/users/me", TestServer.ADMIN_TOKEN);
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().get("name").asText()).isEqualTo("admin");
        assertThat(me.json().get("role").asText()).isEqualTo("admin");
        assertThat(server.console()).contains("Created user 'admin' with the token from GANTRY_BOOTSTRAP_TOKEN")
                .doesNotContain(TestServer.ADMIN_TOKEN);
    }

    @Test
    void withoutAPresetTheFirstStartPrintsAOneTimeAdminTokenAndTheNextDoesNot() {
        try (TestServer fresh = TestServer.start(Map.of("bootstrap.token", ""))) {
            Matcher token = Pattern.compile("(gty_[A-Za-z0-9_-]{43})").matcher(fresh.console());
            assertThat(token.find()).as("console shows a token: %s", fresh.console()).isTrue();
            assertThat(fresh.api().get("/api/users/me", token.group(1)).json().get("role").asText()).isEqualTo("admin");
        }
        // the same database again: the admin exists, so nothing is created or printed
        assertThat(server.server().injector().getInstance(IdentityService.class)
                .bootstrapAdmin(java.util.Optional.of("gty_another-token-that-is-long-enough"))).isEmpty();
        assertThat(api.get("/api/users/me", "gty_another-token-that-is-long-enough").status()).isEqualTo(401);
    }

    @Test
    void tokensAreShownOnceStoredHashedAndRevocable() {
        String token = server.tokenFor("carol", "developer");
        assertThat(api.get("/api/users/me", token).json().get("name").asText()).isEqualTo("carol");

        Api.Reply listed = api.get("/api/tokens", token);
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.body()).doesNotContain(token);
        String tokenId = listed.json().get("tokens").get(0).get("id").asText();
        assertThat(listed.json().get("tokens").get(0).get("prefix").asText()).isEqualTo(token.substring(0, 10));

        Api.Reply revoked = api.delete("/api/tokens/" + tokenId, token);
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.json().get("revoked_at").isNull()).isFalse();
        Api.Reply after = api.get("/api/users/me", token);
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.json().get("message").asText()).contains("revoked");

        Api.Reply audit = api.get("/api/audit?action=token.revoke&target=token:" + tokenId, TestServer.ADMIN_TOKEN);
        assertThat(audit.json().get("entries")).hasSize(1);
        assertThat(audit.json().get("entries").get(0).get("actor").asText()).isEqualTo("carol");
    }

    @Test
    void oneUserCannotSeeOrRevokeAnothersTokens() {
        String dave = server.tokenFor("dave", "deployer");
        String erin = server.tokenFor("erin", "deployer");
        String erinTokenId = api.get("/api/tokens", erin).json().get("tokens").get(0).get("id").asText();
        assertThat(api.delete("/api/tokens/" + erinTokenId, dave).status()).isEqualTo(404);
        String erinId = api.get("/api/users/me", erin).json().get("id").asText();
        assertThat(api.get("/api/tokens?user_id=" + erinId, dave).status()).isEqualTo(403);
        assertThat(api.get("/api/users/me", erin).status()).isEqualTo(200);
    }

    @Test
    void disablingAUserStopsTheirTokensAndIsAudited() {
        String token = server.tokenFor("frank", "viewer");
        String id = api.get("/api/users/me", token).json().get("id").asText();
        Api.Reply disabled = api.method("PATCH", "/api/users/" + id, TestServer.ADMIN_TOKEN, "{\"disabled\": true}");
        assertThat(disabled.status()).isEqualTo(200);
        assertThat(api.get("/api/users/me", token).status()).isEqualTo(401);
        Api.Reply audit = api.get("/api/audit?actor=admin&action=user.update", TestServer.ADMIN_TOKEN);
        assertThat(audit.json().get("entries").get(0).get("before").get("disabled").asBoolean()).isFalse();
        assertThat(audit.json().get("entries").get(0).get("after").get("disabled").asBoolean()).isTrue();
    }

    @Test
    void forbiddenSaysWhichRoleIsNeeded() {
        String viewer = server.tokenFor("gina", "viewer");
        Api.Reply reply = api.get("/api/users", viewer);
        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.json().get("message").asText()).contains("needs the admin role").contains("gina has viewer");
    }

    @Test
    void duplicateAndInvalidUserNamesAreRefused() {
        server.tokenFor("hank", "viewer");
        assertThat(api.post("/api/users", TestServer.ADMIN_TOKEN, "{\"name\":\"hank\",\"role\":\"viewer\"}").status()).isEqualTo(409);
        assertThat(api.post("/api/users", TestServer.ADMIN_TOKEN, "{\"name\":\"Bad Name!\",\"role\":\"viewer\"}").error()).isEqualTo("invalid_name");
    }
}
