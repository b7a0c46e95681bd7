package dev.gantry.server.flags;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.server.testing.Api;
import dev.gantry.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The flag API against a real server, PostgreSQL and the flags-postgres plugin. */
class FlagApiIT {
    private static final String ADMIN = TestServer.ADMIN_TOKEN;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The example of docs/flags.md, "The flag document". */
    private static final String DOCUMENTED_FLAG = """
            {
              "key": "doc-checkout",
              "description": "The one-page checkout",
              "owner": "team-payments",
              "type": "release",
              "environments": {
                "production": {
                  "enabled": true,
                  "variants": [
                    {"key": "on", "payload": true},
                    {"key": "off", "payload": false}
                  ],
                  "off_variant": "off",
                  "rules": [
                    {"description": "beta testers", "constraints": [{"attribute": "user_id", "operator": "in", "values": ["u-17", "u-42"]}],
                     "serve": {"variant": "on"}},
                    {"description": "blocked", "constraints": [{"attribute": "user_id", "operator": "in", "values": ["u-666"]}],
                     "serve": {"variant": "off"}},
                    {"description": "EU on app 3.2+", "segments": ["eu-users"],
                     "constraints": [{"attribute": "app_version", "operator": "semver_gte", "values": ["3.2.0"]}],
                     "rollout": 25, "serve": {"variant": "on"}},
                    {"rollout": 10, "serve": {"split": [{"variant": "on", "weight": 50}, {"variant": "off", "weight": 50}]}}
                  ]
                }
              }
            }""";

    private static TestServer server;
    private static Api api;
    private static String viewer;
    private static String developer;

    @BeforeAll
    static void start() {
        server = FlagServers.start(Map.of());
        api = server.api();
        viewer = server.tokenFor("flag-viewer", "viewer");
        developer = server.tokenFor("flag-developer", "developer");
        Api.Reply segment = api.post("/api/flag-segments", developer,
                "{\"key\":\"eu-users\",\"constraints\":[{\"attribute\":\"country\",\"operator\":\"in\",\"values\":[\"DE\",\"FR\"]}]}");
        assertThat(segment.status()).as(segment.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Api.Reply put(String path, String token, String json, String ifMatch) {
        return api.method("PUT", path, token, json, ifMatch == null ? Map.of() : Map.of("If-Match", ifMatch));
    }

    private static ObjectNode created(String json) {
        Api.Reply reply = api.post("/api/feature-flags", developer, json);
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        return (ObjectNode) reply.json();
    }

    private static String documentWith(String key, String rulesJson) {
        return "{\"key\":\"" + key + "\",\"environments\":{\"production\":{\"enabled\":true,\"rules\":" + rulesJson + "}}}";
    }

    @Test
    void theShorthandCreatesAFlagWithATargetRuleAndARolloutRuleInTheDefaultEnvironment() {
        Api.Reply reply = api.post("/api/feature-flags", developer,
                "{\"name\":\"new-checkout\",\"rollout_percentage\":25,\"target_users\":[\"u-17\",\"u-42\"],\"owner\":\"team-payments\"}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        assertThat(reply.headers().firstValue("ETag")).contains("\"1\"");
        assertThat(reply.headers().firstValue("Location").orElseThrow()).endsWith("/api/feature-flags/new-checkout");
        JsonNode flag = reply.json();
        assertThat(flag.get("flag_id").asText()).isEqualTo("new-checkout");
        assertThat(flag.get("key").asText()).isEqualTo("new-checkout");
        assertThat(flag.get("type").asText()).isEqualTo("release");
        assertThat(flag.get("owner").asText()).isEqualTo("team-payments");
        assertThat(flag.get("version").asLong()).isEqualTo(1);
        assertThat(flag.get("stale").asBoolean()).isFalse();
        JsonNode production = flag.get("environments").get("production");
        assertThat(production.get("enabled").asBoolean()).isTrue();
        assertThat(production.get("off_variant").asText()).isEqualTo("off");
        assertThat(production.get("variants").findValuesAsText("key")).containsExactly("on", "off");
        JsonNode rules = production.get("rules");
        assertThat(rules).hasSize(2);
        JsonNode targeted = rules.get(0).get("constraints").get(0);
        assertThat(targeted.get("attribute").asText()).isEqualTo("user_id");
        assertThat(targeted.get("operator").asText()).isEqualTo("in");
        assertThat(targeted.get("values").toString()).isEqualTo("[\"u-17\",\"u-42\"]");
        assertThat(rules.get(0).get("serve").get("variant").asText()).isEqualTo("on");
        assertThat(rules.get(1).get("rollout").asInt()).isEqualTo(25);
        assertThat(rules.get(1).get("constraints")).isEmpty();

        Api.Reply read = api.get("/api/feature-flags/new-checkout", viewer);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.headers().firstValue("ETag")).contains("\"1\"");
        assertThat(read.json()).isEqualTo(flag);

        Api.Reply status = api.get("/api/feature-flags/new-checkout/status", viewer);
        assertThat(status.status()).as(status.body()).isEqualTo(200);
        assertThat(status.json().get("enabled").asBoolean()).isTrue();
        assertThat(status.json().get("rollout_percentage").asInt()).isEqualTo(25);
        assertThat(status.json().get("active_users").asLong()).isZero();
    }

    @Test
    void theDocumentedFlagIsAcceptedAndReadBackWithItsDefaultsFilledIn() throws Exception {
        JsonNode flag = created(DOCUMENTED_FLAG);

        JsonNode sent = JSON.readTree(DOCUMENTED_FLAG).get("environments").get("production");
        JsonNode stored = flag.get("environments").get("production");
        assertThat(stored.get("variants")).isEqualTo(sent.get("variants"));
        assertThat(stored.get("rules")).hasSize(4);
        assertThat(stored.get("rules").get(2).get("segments").toString()).isEqualTo("[\"eu-users\"]");
        assertThat(stored.get("rules").get(0).get("rollout").asInt()).as("rollout defaults to 100").isEqualTo(100);
        assertThat(stored.get("rules").get(0).get("constraints").get(0).get("negate").asBoolean()).isFalse();
        assertThat(stored.get("rules").get(3).get("serve").get("split").get(1).get("weight").asInt()).isEqualTo(50);
        assertThat(flag.get("description").asText()).isEqualTo("The one-page checkout");
        assertThat(api.get("/api/feature-flags/doc-checkout/status?environment=production", viewer).json()
                .get("rollout_percentage").asInt()).as("the last rule's rollout").isEqualTo(10);
    }

    @Test
    void eachBadInputIsA400NamingTheFieldAndWhatIsAllowed() {
        assertInvalid(documentWith("bad-op", "[{\"constraints\":[{\"attribute\":\"plan\",\"operator\":\"is_about\",\"values\":[\"x\"]}],"
                + "\"serve\":{\"variant\":\"on\"}}]"), "environments.production.rules[0].constraints[0].operator", "unknown operator 'is_about'");
        assertInvalid(documentWith("too-far", "[{\"rollout\":101,\"serve\":{\"variant\":\"on\"}}]"),
                "environments.production.rules[0].rollout", "0 to 100");
        assertInvalid(documentWith("too-fine", "[{\"rollout\":12.345,\"serve\":{\"variant\":\"on\"}}]"),
                "environments.production.rules[0].rollout", "two decimals");
        assertInvalid(documentWith("ninety", "[{\"serve\":{\"split\":[{\"variant\":\"on\",\"weight\":40},{\"variant\":\"off\",\"weight\":50}]}}]"),
                "environments.production.rules[0].serve.split", "sum to 90");
        assertInvalid(documentWith("no-segment", "[{\"segments\":[\"martians\"],\"serve\":{\"variant\":\"on\"}}]"),
                "environments.production.rules[0].segments[0]", "no segment 'martians'");
        assertInvalid(documentWith("odd-field", "[{\"colour\":\"red\",\"serve\":{\"variant\":\"on\"}}]"),
                "environments.production.rules[0].colour", "unknown field 'colour'");
        assertInvalid(documentWith("bad-semver", "[{\"constraints\":[{\"attribute\":\"app\",\"operator\":\"semver_gt\",\"values\":[\"3.2\"]}],"
                + "\"serve\":{\"variant\":\"on\"}}]"), "environments.production.rules[0].constraints[0].values[0]", "semantic version");
        assertInvalid(documentWith("bad-date", "[{\"constraints\":[{\"attribute\":\"since\",\"operator\":\"date_after\",\"values\":[\"yesterday\"]}],"
                + "\"serve\":{\"variant\":\"on\"}}]"), "environments.production.rules[0].constraints[0].values[0]", "ISO-8601");
        assertInvalid(documentWith("bad-number", "[{\"constraints\":[{\"attribute\":\"age\",\"operator\":\"num_gt\",\"values\":[\"old\"]}],"
                + "\"serve\":{\"variant\":\"on\"}}]"), "environments.production.rules[0].constraints[0].values[0]", "decimal number");
        assertInvalid(documentWith("ghost-variant", "[{\"serve\":{\"variant\":\"maybe\"}}]"),
                "environments.production.rules[0].serve.variant", "one of this environment's variants");
        assertInvalid("{\"key\":\"one-variant\",\"environments\":{\"production\":{\"variants\":[{\"key\":\"on\"}]}}}",
                "environments.production.variants", "2 to 50");
        assertInvalid("{\"key\":\"twins\",\"environments\":{\"production\":{\"variants\":[{\"key\":\"a\"},{\"key\":\"a\"}],\"off_variant\":\"a\"}}}",
                "environments.production.variants[1].key", "listed twice");
        assertInvalid("{\"key\":\"no-off\",\"environments\":{\"production\":{\"variants\":[{\"key\":\"a\"},{\"key\":\"b\"}]}}}",
                "environments.production.off_variant", "got 'off'");
        assertInvalid("{\"key\":\"Bad Key\"}", "key", "lowercase");
        assertInvalid("{\"key\":\"typed\",\"type\":\"permanent\"}", "type", "kill_switch");
        assertInvalid("{\"key\":\"typo\",\"enviroments\":{}}", "enviroments", "unknown field");
        assertInvalid("{\"name\":\"short\",\"rollout_percentage\":101}", "rollout_percentage", "0 to 100");
        assertInvalid("{\"name\":\"short\",\"target_users\":\"u-1\"}", "target_users", "list");

        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 101; i++) {
            many.append(i == 0 ? "" : ",").append("{\"serve\":{\"variant\":\"on\"}}");
        }
        assertInvalid(documentWith("many-rules", many.append("]").toString()), "environments.production.rules", "at most 100");

        Api.Reply malformed = api.post("/api/feature-flags", developer, "{\"key\": \"broken\",");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.error()).isEqualTo("malformed_json");

        Api.Reply all = api.post("/api/feature-flags", developer, documentWith("two-problems",
                "[{\"rollout\":101,\"serve\":{\"split\":[{\"variant\":\"on\",\"weight\":90}]}}]"));
        assertThat(all.json().get("details").get("problems").findValuesAsText("field"))
                .containsExactly("environments.production.rules[0].rollout", "environments.production.rules[0].serve.split");
        assertThat(api.get("/api/feature-flags/two-problems", viewer).status()).as("nothing stored").isEqualTo(404);
    }

    private static void assertInvalid(String json, String field, String messagePart) {
        Api.Reply reply = api.post("/api/feature-flags", developer, json);
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.error()).isEqualTo("invalid_field");
        assertThat(reply.json().get("details").get("field").asText()).as(reply.body()).isEqualTo(field);
        assertThat(reply.json().get("message").asText()).as(reply.body()).contains(field).contains(messagePart);
    }

    @Test
    void anUpdateNeedsIfMatchAndAStaleOneIsRefusedWithTheCurrentVersion() {
        created(documentWith("guarded", "[]"));
        String changed = documentWith("guarded", "[{\"rollout\":50,\"serve\":{\"variant\":\"on\"}}]");

        Api.Reply missing = put("/api/feature-flags/guarded", developer, changed, null);
        assertThat(missing.status()).isEqualTo(428);
        assertThat(missing.error()).isEqualTo("precondition_required");

        Api.Reply first = put("/api/feature-flags/guarded", developer, changed, "\"1\"");
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.headers().firstValue("ETag")).contains("\"2\"");
        assertThat(first.json().get("version").asLong()).isEqualTo(2);

        Api.Reply stale = put("/api/feature-flags/guarded", developer, documentWith("guarded", "[]"), "\"1\"");
        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.error()).isEqualTo("precondition_failed");
        assertThat(stale.headers().firstValue("ETag")).contains("\"2\"");
        assertThat(stale.json().get("details").get("current_version").asLong()).isEqualTo(2);
        assertThat(api.get("/api/feature-flags/guarded", viewer).json().get("environments").get("production")
                .get("rules").get(0).get("rollout").asInt()).as("the first change was kept").isEqualTo(50);

        // what GET returns can be sent back as it is
        JsonNode read = api.get("/api/feature-flags/guarded", viewer).json();
        Api.Reply roundTrip = put("/api/feature-flags/guarded", developer, read.toString(), "W/\"2\"");
        assertThat(roundTrip.status()).as(roundTrip.body()).isEqualTo(200);
        assertThat(put("/api/feature-flags/guarded", developer, documentWith("renamed", "[]"), "\"3\"").json()
                .get("details").get("field").asText()).isEqualTo("key");
        assertThat(put("/api/feature-flags/absent", developer, documentWith("absent", "[]"), "\"1\"").status()).isEqualTo(404);
    }

    @Test
    void theKillSwitchTurnsAnEnvironmentOffWithoutIfMatchAndIsAudited() {
        created("{\"key\":\"risky\",\"type\":\"kill_switch\",\"environments\":{\"production\":{\"enabled\":true,"
                + "\"rules\":[{\"serve\":{\"variant\":\"on\"}}]},\"staging\":{\"enabled\":true}}}");

        Api.Reply killed = api.post("/api/feature-flags/risky/kill", developer, "{\"environment\":\"production\"}");

        assertThat(killed.status()).as(killed.body()).isEqualTo(200);
        assertThat(killed.json().get("version").asLong()).isEqualTo(2);
        assertThat(killed.json().get("environments").get("production").get("enabled").asBoolean()).isFalse();
        assertThat(killed.json().get("environments").get("staging").get("enabled").asBoolean()).isTrue();
        assertThat(killed.json().get("environments").get("production").get("rules")).hasSize(1);
        Api.Reply again = api.post("/api/feature-flags/risky/kill", developer, "{}");
        assertThat(again.json().get("version").asLong()).as("already off: nothing changes").isEqualTo(2);
        assertThat(api.get("/api/feature-flags/risky/status?environment=production", viewer).json().get("enabled").asBoolean()).isFalse();
        assertThat(api.post("/api/feature-flags/risky/kill", developer, "{\"environment\":\"mars\"}").status()).isEqualTo(404);
        assertThat(api.post("/api/feature-flags/risky/kill", viewer, "{}").status()).isEqualTo(403);

        JsonNode audit = api.get("/api/audit?target=flag:risky", ADMIN).json().get("entries");
        List<String> actions = new ArrayList<>();
        audit.forEach(entry -> actions.add(entry.get("action").asText()));
        assertThat(actions).containsExactly("flag.kill", "flag.create");
        JsonNode kill = audit.get(0);
        assertThat(kill.get("actor").asText()).isEqualTo("flag-developer");
        assertThat(kill.get("before").get("environments").get("production").get("enabled").asBoolean()).isTrue();
        assertThat(kill.get("after").get("environments").get("production").get("enabled").asBoolean()).isFalse();
        assertThat(kill.get("after").get("version").asLong()).isEqualTo(2);
        assertThat(audit.get(1).get("before").isNull()).isTrue();
    }

    @Test
    void anArchivedFlagLeavesTheListKeepsItsKeyAndCannotBeEdited() {
        created(documentWith("retired", "[]"));

        Api.Reply archived = api.post("/api/feature-flags/retired/archive", developer, "");
        assertThat(archived.status()).as(archived.body()).isEqualTo(200);
        assertThat(archived.json().get("archived").asBoolean()).isTrue();

        assertThat(api.get("/api/feature-flags", viewer).json().get("flags").findValuesAsText("key")).doesNotContain("retired");
        assertThat(api.get("/api/feature-flags?archived=true", viewer).json().get("flags").findValuesAsText("key")).contains("retired");
        assertThat(api.get("/api/feature-flags?archived=true", viewer).json().get("flags").get(0).has("stale")).isTrue();
        Api.Reply reuse = api.post("/api/feature-flags", developer, documentWith("retired", "[]"));
        assertThat(reuse.status()).isEqualTo(409);
        assertThat(reuse.json().get("message").asText()).contains("never reused");
        assertThat(put("/api/feature-flags/retired", developer, documentWith("retired", "[]"), "\"2\"").status()).isEqualTo(409);
        assertThat(api.get("/api/audit?target=flag:retired&action=flag.archive", ADMIN).json().get("entries")).hasSize(1);
    }

    @Test
    void viewersReadFlagsAndOnlyDevelopersAndAboveChangeThem() {
        assertThat(api.post("/api/feature-flags", viewer, "{\"name\":\"viewer-flag\"}").status()).isEqualTo(403);
        assertThat(api.get("/api/feature-flags", viewer).status()).isEqualTo(200);
        assertThat(api.post("/api/feature-flags", server.tokenFor("flag-deployer", "deployer"), "{\"name\":\"deployer-flag\"}").status())
                .isEqualTo(201);
    }

    @Test
    void segmentsAreVersionedAndOneInUseCannotBeDeleted() {
        Api.Reply created = api.post("/api/flag-segments", developer,
                "{\"key\":\"beta\",\"description\":\"beta testers\",\"constraints\":[{\"attribute\":\"beta\",\"operator\":\"in\",\"values\":[\"true\"]}]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("ETag")).contains("\"1\"");
        created(documentWith("uses-beta", "[{\"segments\":[\"beta\"],\"serve\":{\"variant\":\"on\"}}]"));

        String changed = "{\"constraints\":[{\"attribute\":\"beta\",\"operator\":\"in\",\"values\":[\"yes\"]}]}";
        assertThat(put("/api/flag-segments/beta", developer, changed, null).status()).isEqualTo(428);
        assertThat(put("/api/flag-segments/beta", developer, changed, "\"1\"").status()).isEqualTo(200);
        assertThat(put("/api/flag-segments/beta", developer, changed, "\"1\"").status()).isEqualTo(412);
        assertThat(api.post("/api/flag-segments", developer, "{\"key\":\"empty\",\"constraints\":[]}").json()
                .get("details").get("field").asText()).isEqualTo("constraints");

        Api.Reply inUse = api.delete("/api/flag-segments/beta", developer);
        assertThat(inUse.status()).isEqualTo(409);
        assertThat(inUse.json().get("details").get("flags").toString()).contains("uses-beta");

        api.post("/api/feature-flags/uses-beta/archive", developer, "");
        assertThat(api.delete("/api/flag-segments/beta", developer).status()).isEqualTo(204);
        assertThat(api.get("/api/flag-segments/beta", viewer).status()).isEqualTo(404);
        assertThat(api.get("/api/audit?target=flag_segment:beta", ADMIN).json().get("entries").findValuesAsText("action"))
                .containsExactly("flag_segment.delete", "flag_segment.update", "flag_segment.create");
    }

    /** A report stored as if it had come {@code ago}, straight into the table. */
    private static void earlierReport(String key, java.time.Duration ago, long users) {
        try (java.sql.Connection connection = java.sql.DriverManager.getConnection(server.settings().get("database.url"), "postgres", "");
             java.sql.PreparedStatement insert = connection.prepareStatement("insert into flag_exposures "
                     + "(flag_key, environment, minute, users, variants) values (?, 'production', date_trunc('minute', now() - ?::interval), ?, '{}')")) {
            insert.setString(1, key);
            insert.setString(2, ago.toSeconds() + " seconds");
            insert.setLong(3, users);
            insert.executeUpdate();
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anSdkTokenReadsItsEnvironmentsStreamReportsExposuresAndDoesNothingElse() {
        created("{\"key\":\"sdk-flag\",\"environments\":{\"production\":{\"enabled\":true,\"rules\":[{\"rollout\":30,\"serve\":{\"variant\":\"on\"}}]}}}");
        Api.Reply issued = api.post("/api/flags/sdk-tokens", ADMIN, "{\"environment\":\"production\",\"name\":\"checkout-service\"}");
        assertThat(issued.status()).as(issued.body()).isEqualTo(201);
        String sdk = issued.json().get("token").asText();
        assertThat(sdk).startsWith("gtysdk_");
        assertThat(api.post("/api/flags/sdk-tokens", developer, "{\"environment\":\"production\",\"name\":\"x\"}").status()).isEqualTo(403);
        JsonNode listed = api.get("/api/flags/sdk-tokens?environment=production", ADMIN).json().get("sdk_tokens");
        assertThat(listed.findValuesAsText("name")).contains("checkout-service");
        assertThat(listed.toString()).doesNotContain(sdk);

        try (SseStream stream = SseStream.open(server.server().url(), "api/flags/stream?environment=production", sdk, null)) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.contentType()).startsWith("text/event-stream");
            SseStream.Event snapshot = stream.nextEvent(10);
            assertThat(snapshot.event()).isEqualTo("snapshot");
            assertThat(snapshot.json().get("flags").findValuesAsText("key")).contains("sdk-flag");
        }

        Api.Reply write = api.post("/api/feature-flags", sdk, "{\"name\":\"from-sdk\"}");
        assertThat(write.status()).isEqualTo(403);
        assertThat(write.json().get("message").asText()).contains("SDK token");
        assertThat(api.get("/api/feature-flags", sdk).status()).isEqualTo(403);
        assertThat(api.post("/api/feature-flags/sdk-flag/kill", sdk, "{}").status()).isEqualTo(403);
        assertThat(api.get("/api/flags/sdk-tokens", sdk).status()).isEqualTo(403);
        Api.Reply otherEnvironment = api.get("/api/flags/stream?environment=staging", sdk);
        assertThat(otherEnvironment.status()).isEqualTo(403);
        assertThat(otherEnvironment.json().get("message").asText()).contains("'production' only");
        assertThat(api.post("/api/flags/exposures", sdk, "{\"environment\":\"staging\",\"flags\":[]}").status()).isEqualTo(403);

        if (java.time.LocalTime.now(java.time.ZoneOffset.UTC).getSecond() > 55) {
            // both reports below must land in one minute, whose users add up
            try {
                Thread.sleep(6000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Api.Reply reported = api.post("/api/flags/exposures", sdk, "{\"environment\":\"production\",\"flags\":["
                + "{\"key\":\"sdk-flag\",\"variants\":{\"on\":30,\"off\":70},\"users\":40},"
                + "{\"key\":\"no-such-flag\",\"variants\":{\"on\":1},\"users\":1}]}");
        assertThat(reported.status()).as(reported.body()).isEqualTo(202);
        assertThat(reported.json().get("accepted").asInt()).isEqualTo(1);
        assertThat(reported.json().get("ignored").toString()).isEqualTo("[\"no-such-flag\"]");
        api.post("/api/flags/exposures", sdk, "{\"environment\":\"production\",\"flags\":[{\"key\":\"sdk-flag\",\"variants\":{\"on\":5},\"users\":2}]}");
        assertThat(api.post("/api/flags/exposures", sdk, "{\"environment\":\"production\",\"flags\":[{\"key\":\"sdk-flag\",\"users\":-1}]}")
                .json().get("details").get("field").asText()).isEqualTo("flags[0].users");

        JsonNode status = api.get("/api/feature-flags/sdk-flag/status?environment=production", viewer).json();
        assertThat(status.get("active_users").asLong()).isEqualTo(42);
        assertThat(status.get("variants").get("on").asLong()).isEqualTo(35);
        assertThat(status.get("variants").get("off").asLong()).isEqualTo(70);
        assertThat(status.get("rollout_percentage").asInt()).isEqualTo(30);
        earlierReport("sdk-flag", java.time.Duration.ofMinutes(30), 100);
        earlierReport("sdk-flag", java.time.Duration.ofMinutes(90), 1000);
        assertThat(api.get("/api/feature-flags/sdk-flag/status?environment=production", viewer).json().get("active_users").asLong())
                .as("the busiest minute of the last hour").isEqualTo(100);

        String id = issued.json().get("id").asText();
        assertThat(api.delete("/api/flags/sdk-tokens/" + id, ADMIN).status()).isEqualTo(204);
        assertThat(api.post("/api/flags/exposures", sdk, "{\"environment\":\"production\",\"flags\":[]}").status()).isEqualTo(401);
        assertThat(api.get("/api/audit?target=sdk_token:" + id, ADMIN).json().get("entries").findValuesAsText("action"))
                .containsExactly("sdk_token.delete", "sdk_token.create");
    }
}
