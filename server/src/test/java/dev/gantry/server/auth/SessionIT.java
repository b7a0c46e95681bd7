package dev.gantry.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.server.persistence.Database;
import dev.gantry.server.testing.Api;
import dev.gantry.server.testing.Browser;
import dev.gantry.server.testing.TestKeystore;
import dev.gantry.server.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Signing in from a browser: passwords, session cookies, CSRF, the rate limit, and how sessions end. */
class SessionIT {
    private static final String PASSWORD = "correct horse battery staple";

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

    /** A new user with {@code role} and a password set by the admin; returns the user's id. */
    private static String userWithPassword(TestServer on, String name, String role, String password) {
        String token = on.tokenFor(name, role);
        String id = on.api().get("/api/users/me", token).json().get("id").asText();
        Api.Reply set = on.api().method("PUT", "/api/users/" + id + "/password", TestServer.ADMIN_TOKEN,
                "{\"new_password\":\"" + password + "\"}");
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        return id;
    }

    private static <T> T sql(TestServer on, Database.SqlWork<T> work) {
        return on.server().injector().getInstance(Database.class).inSqlTransaction(work);
    }

    @Test
    void signingInWithAPasswordGivesAStrictHttpOnlyCookieAndACsrfToken() {
        userWithPassword(server, "alice", "developer", PASSWORD);
        Browser browser = new Browser(api);
        Api.Reply reply = browser.signIn("alice", PASSWORD);
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        assertThat(reply.json().get("user").get("name").asText()).isEqualTo("alice");
        assertThat(reply.json().get("user").get("role").asText()).isEqualTo("developer");
        assertThat(reply.json().get("user").get("password_set").asBoolean()).isTrue();
        assertThat(reply.json().get("user").has("password_hash")).isFalse();
        assertThat(reply.json().get("csrf_token").asText()).hasSizeGreaterThanOrEqualTo(43);
        assertThat(reply.json().get("expires_at").asText()).isNotEmpty();
        assertThat(reply.headers().firstValue("Cache-Control")).hasValue("no-store");

        String cookie = Browser.setCookie(reply).orElseThrow();
        assertThat(cookie).contains("; HttpOnly").contains("; SameSite=Strict").contains("; Path=/")
                .contains("; Max-Age=604800").doesNotContain("Secure");
        assertThat(reply.body()).doesNotContain(browser.cookie());

        Api.Reply me = browser.get("/api/users/me");
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().get("name").asText()).isEqualTo("alice");
        Api.Reply session = browser.get("/api/session");
        assertThat(session.status()).isEqualTo(200);
        assertThat(session.json().get("user").get("name").asText()).isEqualTo("alice");
        assertThat(session.json().get("csrf_token").asText()).isEqualTo(browser.csrfToken());

        // the table keeps the cookie's SHA-256, never the secret
        List<String> stored = sql(server, c -> {
            List<String> values = new ArrayList<>();
            try (var rows = c.createStatement().executeQuery("select id, token_hash from sessions")) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                    values.add(rows.getString(2));
                }
            }
            return values;
        });
        assertThat(stored).contains(Tokens.hash(browser.cookie())).doesNotContain(browser.cookie());

        // a name is matched as users are named, in lowercase
        assertThat(new Browser(api).signIn("Alice", PASSWORD).status()).isEqualTo(201);
    }

    @Test
    void anApiTokenSignsInAUserWithoutAPasswordWhoThenSetsOne() {
        String token = server.tokenFor("fresh", "admin");
        Browser browser = new Browser(api);
        Api.Reply reply = browser.signInWithToken(token);
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        assertThat(reply.json().get("user").get("name").asText()).isEqualTo("fresh");
        assertThat(reply.json().get("user").get("password_set").asBoolean()).isFalse();

        Api.Reply tooShort = browser.call("PUT", "/api/users/me/password", "{\"new_password\":\"short\"}");
        assertThat(tooShort.status()).isEqualTo(400);
        assertThat(tooShort.error()).isEqualTo("invalid_password");
        assertThat(tooShort.json().get("message").asText()).contains("at least 10 characters");

        Api.Reply set = browser.call("PUT", "/api/users/me/password", "{\"new_password\":\"" + PASSWORD + "\"}");
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(set.json().get("password_set").asBoolean()).isTrue();
        assertThat(set.json().get("password_changed_at").isNull()).isFalse();
        assertThat(browser.get("/api/users/me").status()).as("the session that set it goes on").isEqualTo(200);
        assertThat(new Browser(api).signIn("fresh", PASSWORD).status()).isEqualTo(201);

        // the bootstrap admin's token works the same way
        assertThat(new Browser(api).signInWithToken(TestServer.ADMIN_TOKEN).json().get("user").get("name").asText())
                .isEqualTo("admin");
        // a token that does not exist, or an SDK token, does not
        Api.Reply unknown = new Browser(api).signInWithToken("gty_not-a-token-of-anyone-at-all-0123456789");
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.error()).isEqualTo("invalid_credentials");
        assertThat(Browser.setCookie(unknown)).isEmpty();
        String sdk = api.post("/api/flags/sdk-tokens", TestServer.ADMIN_TOKEN,
                "{\"environment\":\"production\",\"name\":\"web\"}").json().get("token").asText();
        assertThat(new Browser(api).signInWithToken(sdk).status()).isEqualTo(401);
    }

    @Test
    void aWrongPasswordAnUnknownNameAndADisabledUserGetTheSameAnswer() {
        String id = userWithPassword(server, "bruno", "viewer", PASSWORD);
        Api.Reply wrong = new Browser(api).signIn("bruno", "not the password at all");
        Api.Reply unknown = new Browser(api).signIn("nobody-by-this-name", PASSWORD);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(wrong.error()).isEqualTo("invalid_credentials");
        assertThat(unknown.body()).isEqualTo(wrong.body());
        assertThat(Browser.setCookie(wrong)).isEmpty();

        api.method("PATCH", "/api/users/" + id, TestServer.ADMIN_TOKEN, "{\"disabled\": true}");
        Api.Reply disabled = new Browser(api).signIn("bruno", PASSWORD);
        assertThat(disabled.status()).isEqualTo(401);
        assertThat(disabled.body()).isEqualTo(wrong.body());
    }

    @Test
    void requestsBodiesThatAreNotSignInsAreRefusedPlainly() {
        assertThat(api.post("/api/session", null, "{}").status()).isEqualTo(400);
        Api.Reply noPassword = api.post("/api/session", null, "{\"name\":\"alice\"}");
        assertThat(noPassword.error()).isEqualTo("missing_field");
        assertThat(noPassword.json().get("details").get("field").asText()).isEqualTo("password");
        assertThat(api.post("/api/session", null, "{\"name\":\"a\",\"password\":\"b\",\"token\":\"c\"}").status())
                .isEqualTo(400);
        // a form on another site cannot sign a browser in: only JSON is taken
        Api.Reply form = api.send("POST", "/api/session", Map.of(), "application/x-www-form-urlencoded",
                "name=alice&password=x".getBytes());
        assertThat(form.status()).isEqualTo(415);
    }

    @Test
    void stateChangingRequestsOfASessionNeedItsCsrfToken() {
        userWithPassword(server, "carla", "developer", PASSWORD);
        Browser browser = new Browser(api);
        browser.signIn("carla", PASSWORD);

        Api.Reply missing = browser.send("POST", "/api/tokens", "{\"name\":\"ci\"}", false);
        assertThat(missing.status()).isEqualTo(403);
        assertThat(missing.error()).isEqualTo("csrf_token_missing");
        assertThat(missing.json().get("message").asText()).contains("X-CSRF-Token");

        Api.Reply invalid = browser.withHeaders("POST", "/api/tokens", "{\"name\":\"ci\"}",
                Map.of("X-CSRF-Token", "not-the-token"));
        assertThat(invalid.status()).isEqualTo(403);
        assertThat(invalid.error()).isEqualTo("csrf_token_invalid");

        // another session's token is no good either
        Browser other = new Browser(api);
        other.signIn("carla", PASSWORD);
        assertThat(browser.withHeaders("POST", "/api/tokens", "{\"name\":\"ci\"}",
                Map.of("X-CSRF-Token", other.csrfToken())).error()).isEqualTo("csrf_token_invalid");

        Api.Reply created = browser.call("POST", "/api/tokens", "{\"name\":\"ci\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String tokenId = created.json().get("id").asText();
        assertThat(browser.get("/api/tokens").status()).as("reads need no CSRF token").isEqualTo(200);
        assertThat(browser.call("DELETE", "/api/tokens/" + tokenId, null).status()).isEqualTo(200);

        // with an Authorization header the cookie plays no part: a token's call needs no CSRF token, and a revoked
        // token is not rescued by the cookie
        String live = browser.call("POST", "/api/tokens", "{\"name\":\"live\"}").json().get("token").asText();
        Api.Reply withToken = api.send("POST", "/api/tokens", Map.of("Authorization", "Bearer " + live,
                "Cookie", "gantry_session=" + browser.cookie()), "application/json", "{\"name\":\"x\"}".getBytes());
        assertThat(withToken.status()).isEqualTo(201);
        Api.Reply revoked = api.send("POST", "/api/tokens", Map.of("Authorization", "Bearer " + created.json().get("token").asText(),
                "Cookie", "gantry_session=" + browser.cookie()), "application/json", "{\"name\":\"x\"}".getBytes());
        assertThat(revoked.status()).isEqualTo(401);

        // a session is only a session: GET /api/session with a token says there is none
        String carlaToken = server.tokenFor("carla-robot", "viewer");
        assertThat(api.get("/api/session", carlaToken).error()).isEqualTo("no_session");
    }

    @Test
    void signingOutEndsTheSessionAndClearsTheCookie() {
        userWithPassword(server, "otto", "viewer", PASSWORD);
        Browser browser = new Browser(api);
        browser.signIn("otto", PASSWORD);

        Api.Reply noCsrf = browser.send("DELETE", "/api/session", null, false);
        assertThat(noCsrf.status()).isEqualTo(403);
        assertThat(noCsrf.error()).isEqualTo("csrf_token_missing");
        assertThat(browser.get("/api/users/me").status()).isEqualTo(200);

        Api.Reply out = browser.call("DELETE", "/api/session", null);
        assertThat(out.status()).isEqualTo(204);
        assertThat(Browser.setCookie(out).orElseThrow()).startsWith("gantry_session=;").contains("Max-Age=0");
        Api.Reply after = browser.get("/api/users/me");
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.json().get("message").asText()).contains("sign in again");
        assertThat(browser.get("/api/session").status()).isEqualTo(401);

        // signing out again, or with no session at all, is harmless
        assertThat(browser.call("DELETE", "/api/session", null).status()).isEqualTo(204);
        assertThat(api.delete("/api/session", null).status()).isEqualTo(204);
        // a made-up cookie is simply not a session
        assertThat(Browser.withCookie(api, "made-up").get("/api/users/me").status()).isEqualTo(401);
    }

    @Test
    void changingOnesPasswordEndsOneOtherSessionsButNotTheCurrentOne() {
        userWithPassword(server, "paula", "deployer", PASSWORD);
        String token = server.tokenFor("paula-helper", "viewer"); // unrelated user, to show others keep their sessions
        Browser helper = new Browser(api).signedIn(token);
        Browser here = new Browser(api);
        here.signIn("paula", PASSWORD);
        Browser elsewhere = new Browser(api);
        elsewhere.signIn("paula", PASSWORD);

        Api.Reply noCurrent = here.call("PUT", "/api/users/me/password", "{\"new_password\":\"a brand new passphrase\"}");
        assertThat(noCurrent.status()).isEqualTo(400);
        assertThat(noCurrent.error()).isEqualTo("missing_field");
        Api.Reply wrong = here.call("PUT", "/api/users/me/password",
                "{\"current_password\":\"a wrong guess here\",\"new_password\":\"a brand new passphrase\"}");
        assertThat(wrong.status()).isEqualTo(403);
        assertThat(wrong.error()).isEqualTo("wrong_password");
        Api.Reply tooLong = here.call("PUT", "/api/users/me/password",
                "{\"current_password\":\"" + PASSWORD + "\",\"new_password\":\"" + "x".repeat(201) + "\"}");
        assertThat(tooLong.error()).isEqualTo("invalid_password");

        Api.Reply changed = here.call("PUT", "/api/users/me/password",
                "{\"current_password\":\"" + PASSWORD + "\",\"new_password\":\"a brand new passphrase\"}");
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(here.get("/api/users/me").status()).isEqualTo(200);
        assertThat(elsewhere.get("/api/users/me").status()).isEqualTo(401);
        assertThat(helper.get("/api/users/me").status()).isEqualTo(200);
        assertThat(new Browser(api).signIn("paula", PASSWORD).status()).isEqualTo(401);
        assertThat(new Browser(api).signIn("paula", "a brand new passphrase").status()).isEqualTo(201);

        Api.Reply audit = api.get("/api/audit?action=user.password_change&target=user:paula", TestServer.ADMIN_TOKEN);
        assertThat(audit.json().get("entries")).hasSize(1);
        assertThat(audit.json().get("entries").get(0).get("actor").asText()).isEqualTo("paula");
        assertThat(audit.json().get("entries").get(0).get("after").get("sessions_ended").asInt()).isEqualTo(1);
        assertThat(audit.body()).doesNotContain("passphrase").doesNotContain("argon2").doesNotContain(PASSWORD);
    }

    @Test
    void anAdminResetsAnotherUsersPasswordAndEndsAllTheirSessions() {
        String id = userWithPassword(server, "rita", "developer", PASSWORD);
        Browser one = new Browser(api);
        one.signIn("rita", PASSWORD);
        Browser two = new Browser(api);
        two.signIn("rita", PASSWORD);

        Browser admin = new Browser(api).signedIn(TestServer.ADMIN_TOKEN);
        Api.Reply reset = admin.call("PUT", "/api/users/" + id + "/password", "{\"new_password\":\"reset by the admin\"}");
        assertThat(reset.status()).as(reset.body()).isEqualTo(200);
        assertThat(one.get("/api/users/me").status()).isEqualTo(401);
        assertThat(two.get("/api/users/me").status()).isEqualTo(401);
        assertThat(new Browser(api).signIn("rita", "reset by the admin").status()).isEqualTo(201);

        assertThat(api.method("PUT", "/api/users/" + id + "/password", TestServer.ADMIN_TOKEN, "{\"new_password\":\"short\"}")
                .error()).isEqualTo("invalid_password");
        assertThat(api.method("PUT", "/api/users/no-such-user/password", TestServer.ADMIN_TOKEN,
                "{\"new_password\":\"long enough anyway\"}").status()).isEqualTo(404);
        String adminId = api.get("/api/users/me", TestServer.ADMIN_TOKEN).json().get("id").asText();
        Api.Reply own = api.method("PUT", "/api/users/" + adminId + "/password", TestServer.ADMIN_TOKEN,
                "{\"new_password\":\"long enough anyway\"}");
        assertThat(own.status()).isEqualTo(409);
        assertThat(own.json().get("message").asText()).contains("/api/users/me/password");

        Api.Reply audit = api.get("/api/audit?action=user.password_reset&target=user:rita", TestServer.ADMIN_TOKEN);
        assertThat(audit.json().get("entries")).hasSize(2); // the first password, then the reset
        assertThat(audit.json().get("entries").get(0).get("actor").asText()).isEqualTo("admin");
        assertThat(audit.json().get("entries").get(0).get("after").get("sessions_ended").asInt()).isEqualTo(2);
        assertThat(audit.body()).doesNotContain("reset by the admin").doesNotContain("argon2");
    }

    @Test
    void disablingAUserEndsTheirSessionsAtOnce() {
        String id = userWithPassword(server, "dina", "deployer", PASSWORD);
        Browser browser = new Browser(api);
        browser.signIn("dina", PASSWORD);
        assertThat(browser.get("/api/users/me").status()).isEqualTo(200);

        assertThat(api.method("PATCH", "/api/users/" + id, TestServer.ADMIN_TOKEN, "{\"disabled\": true}").status())
                .isEqualTo(200);
        assertThat(browser.get("/api/users/me").status()).isEqualTo(401);
        long left = sql(server, c -> {
            try (var statement = c.prepareStatement("select count(*) from sessions where user_id = ?")) {
                statement.setString(1, id);
                try (var rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
        assertThat(left).isZero();
        // enabled again, the old session stays ended
        api.method("PATCH", "/api/users/" + id, TestServer.ADMIN_TOKEN, "{\"disabled\": false}");
        assertThat(browser.get("/api/users/me").status()).isEqualTo(401);
    }

    @Test
    void aSessionEndsWhenIdleTooLongOrTooOldAndLastSeenIsWrittenAtMostOnceAMinute() {
        userWithPassword(server, "ivan", "viewer", PASSWORD);
        Browser idle = new Browser(api);
        idle.signIn("ivan", PASSWORD);
        Browser old = new Browser(api);
        old.signIn("ivan", PASSWORD);
        String hashIdle = Tokens.hash(idle.cookie());
        String hashOld = Tokens.hash(old.cookie());

        java.sql.Timestamp seen = lastSeen(hashIdle);
        assertThat(idle.get("/api/users/me").status()).isEqualTo(200);
        assertThat(lastSeen(hashIdle)).as("not written again within the minute").isEqualTo(seen);
        update("update sessions set last_seen_at = now() - interval '2 minutes' where token_hash = ?", hashIdle);
        assertThat(idle.get("/api/users/me").status()).isEqualTo(200);
        assertThat(lastSeen(hashIdle).toInstant()).isAfter(java.time.Instant.now().minusSeconds(60));

        update("update sessions set last_seen_at = now() - interval '12 hours 1 minute' where token_hash = ?", hashIdle);
        assertThat(idle.get("/api/users/me").status()).isEqualTo(401);
        update("update sessions set expires_at = now() - interval '1 second' where token_hash = ?", hashOld);
        assertThat(old.get("/api/users/me").status()).isEqualTo(401);
    }

    private static java.sql.Timestamp lastSeen(String hash) {
        return sql(server, c -> {
            try (var statement = c.prepareStatement("select last_seen_at from sessions where token_hash = ?")) {
                statement.setString(1, hash);
                try (var rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getTimestamp(1);
                }
            }
        });
    }

    private static void update(String statementText, String hash) {
        sql(server, c -> {
            try (var statement = c.prepareStatement(statementText)) {
                statement.setString(1, hash);
                return statement.executeUpdate();
            }
        });
    }

    @Test
    void signInsAreRateLimitedByNameAndByAddress() {
        // a server of its own: the address limit counts every failure from this machine
        try (TestServer limited = TestServer.start()) {
            Api client = limited.api();
            userWithPassword(limited, "carol", "viewer", PASSWORD);
            userWithPassword(limited, "dave", "viewer", PASSWORD);
            for (int i = 0; i < LoginThrottle.NAME_LIMIT; i++) {
                assertThat(new Browser(client).signIn("carol", "guess number " + i).status()).isEqualTo(401);
            }
            Api.Reply blocked = new Browser(client).signIn("carol", PASSWORD);
            assertThat(blocked.status()).as("even the right password waits").isEqualTo(429);
            assertThat(blocked.error()).isEqualTo("too_many_attempts");
            long retryAfter = Long.parseLong(blocked.headers().firstValue("Retry-After").orElseThrow());
            assertThat(retryAfter).isBetween(1L, LoginThrottle.WINDOW.toSeconds() + 1);
            assertThat(blocked.json().get("details").get("retry_after_seconds").asLong()).isEqualTo(retryAfter);
            assertThat(blocked.json().get("message").asText()).contains("try again in");

            // a success clears the name's count: four more failures do not block dave
            for (int i = 0; i < 4; i++) {
                new Browser(client).signIn("dave", "guess number " + i);
            }
            assertThat(new Browser(client).signIn("dave", PASSWORD).status()).isEqualTo(201);
            for (int i = 0; i < 4; i++) {
                assertThat(new Browser(client).signIn("dave", "guess number " + i).status()).isEqualTo(401);
            }

            // dave's success took his first four failures off the address's count too: 5 + 4 count so far, and
            // names that do not exist count like the others
            for (int i = 0; i < LoginThrottle.ADDRESS_LIMIT - 9; i++) {
                assertThat(new Browser(client).signIn("ghost" + i, PASSWORD).status()).isEqualTo(401);
            }
            assertThat(new Browser(client).signIn("dave", PASSWORD).status()).isEqualTo(429);
            assertThat(new Browser(client).signInWithToken(TestServer.ADMIN_TOKEN).status()).isEqualTo(429);

            // the counts are rows in PostgreSQL, so every replica sees them
            try (TestServer replica = TestServer.start(limited.settings())) {
                assertThat(new Browser(replica.api()).signIn("dave", PASSWORD).status()).isEqualTo(429);
            }
        }
    }

    @Test
    void aSessionOpenedOnOneReplicaWorksOnAnother() {
        userWithPassword(server, "rhea", "viewer", PASSWORD);
        Browser browser = new Browser(api);
        browser.signIn("rhea", PASSWORD);
        try (TestServer replica = TestServer.start(server.settings())) {
            Browser there = Browser.withCookie(replica.api(), browser.cookie());
            assertThat(there.get("/api/users/me").json().get("name").asText()).isEqualTo("rhea");
            Api.Reply out = there.withHeaders("DELETE", "/api/session", null, Map.of("X-CSRF-Token", browser.csrfToken()));
            assertThat(out.status()).isEqualTo(204);
        }
        assertThat(browser.get("/api/users/me").status()).as("signed out on the other replica").isEqualTo(401);
    }

    @Test
    void overTlsTheCookieIsSecure() throws Exception {
        TestKeystore keystore = TestKeystore.create();
        SSLContext tls = keystore.trustingContext();

        try (TestServer secure = TestServer.start(Map.of("tls.enabled", "true", "tls.keystore.path", keystore.path().toString(),
                "tls.keystore.password", keystore.password()))) {
            Browser browser = new Browser(new Api(secure.server().url(), tls));
            Api.Reply reply = browser.signInWithToken(TestServer.ADMIN_TOKEN);
            assertThat(reply.status()).as(reply.body()).isEqualTo(201);
            assertThat(Browser.setCookie(reply).orElseThrow()).contains("; Secure").contains("; HttpOnly")
                    .contains("; SameSite=Strict");
            assertThat(browser.get("/api/users/me").status()).isEqualTo(200);
            Api.Reply out = browser.call("DELETE", "/api/session", null);
            assertThat(Browser.setCookie(out).orElseThrow()).contains("; Secure");
        }
    }
}
