package dev.gantry.server.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.server.testing.Api;
import dev.gantry.server.testing.TestServer;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** POST /api/artifacts/missing against a real server and PostgreSQL; the metadata is written straight into the table. */
class ArtifactMissingIT {
    private static TestServer gantry;
    private static Api api;

    @BeforeAll
    static void start() {
        gantry = TestServer.start();
        api = gantry.api();
    }

    @AfterAll
    static void stop() {
        gantry.close();
    }

    @Test
    void listsExactlyTheDigestsNotHeldAsGoodInTheOrderAsked() throws Exception {
        List<String> available = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            available.add(sha256("available " + i));
        }
        String corrupt = sha256("corrupt");
        String deleting = sha256("deleting");
        // shares its first eight bytes with a stored digest, so it matches in PostgreSQL and must be told apart here
        String twin = available.get(7).substring(0, 23) + "0".repeat(48);
        insert(available, "available");
        insert(List.of(corrupt), "corrupt");
        insert(List.of(deleting), "deleting");

        List<String> absent = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            absent.add(sha256("absent " + i));
        }
        absent.add(corrupt);
        absent.add(deleting);
        absent.add(twin);
        List<String> asked = new ArrayList<>(available);
        asked.addAll(absent);
        Collections.shuffle(asked, new Random(5));

        assertThat(missing(asked)).isEqualTo(asked.stream().filter(absent::contains).toList());
    }

    @Test
    void readsEitherFormOnceAndAnswersInOneForm() throws Exception {
        String stored = sha256("stored once");
        insert(List.of(stored), "available");
        String unknown = sha256("unknown");

        List<String> answer = missing(List.of(unknown.substring(7).toUpperCase(), stored.substring(7), unknown, "SHA256:" + stored.substring(7)));

        assertThat(answer).containsExactly(unknown);
        assertThat(missing(List.of())).isEmpty();
    }

    @Test
    void aBadDigestIsA400NamingItsIndex() throws Exception {
        Api.Reply reply = api.post("/api/artifacts/missing", TestServer.ADMIN_TOKEN,
                "{\"digests\":[\"" + sha256("fine") + "\",\"sha256:../etc\"]}");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.error()).isEqualTo("invalid_digest");
        assertThat(reply.json().get("details").get("index").asInt()).isEqualTo(1);
        assertThat(api.post("/api/artifacts/missing", TestServer.ADMIN_TOKEN, "{\"digests\":").error()).isEqualTo("malformed_json");
        assertThat(api.post("/api/artifacts/missing", TestServer.ADMIN_TOKEN, "{}").error()).isEqualTo("missing_field");
    }

    private static List<String> missing(List<String> digests) {
        StringBuilder json = new StringBuilder("{\"digests\":[");
        for (int i = 0; i < digests.size(); i++) {
            json.append(i == 0 ? "\"" : ",\"").append(digests.get(i)).append('"');
        }
        Api.Reply reply = api.post("/api/artifacts/missing", TestServer.ADMIN_TOKEN, json.append("]}").toString());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        List<String> missing = new ArrayList<>();
        reply.json().get("missing").forEach(node -> missing.add(node.asText()));
        return missing;
    }

    private static void insert(List<String> digests, String state) throws Exception {
        try (Connection connection = DriverManager.getConnection(gantry.settings().get("database.url"), "postgres", "");
             PreparedStatement insert = connection.prepareStatement("insert into artifacts (digest, size_bytes, state, created_at, "
                     + "created_by) values (?, 1, ?, now(), 'test')")) {
            for (String digest : digests) {
                insert.setString(1, digest);
                insert.setString(2, state);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static String sha256(String text) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes()));
    }
}
