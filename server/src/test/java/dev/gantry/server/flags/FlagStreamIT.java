package dev.gantry.server.flags;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import dev.gantry.server.testing.TestServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /api/flags/stream over real HTTP: snapshot, changes, resume, heartbeats, slow clients, and a second replica. */
class FlagStreamIT {
    private static final String ADMIN = TestServer.ADMIN_TOKEN;
    private static final String MASTER_KEY = Base64.getEncoder().encodeToString(new byte[32]);

    private static TestServer server;
    private static Api api;
    private static String viewer;
    private static String developer;

    @BeforeAll
    static void start() {
        server = FlagServers.start(Map.of(
                "flags.stream.heartbeat", "300ms",
                "flags.stream.client-buffer-kib", "1024",
                "master.key", MASTER_KEY));
        api = server.api();
        viewer = server.tokenFor("stream-viewer", "viewer");
        developer = server.tokenFor("stream-developer", "developer");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static SseStream open(String environment, String token, String lastEventId) {
        SseStream stream = SseStream.open(server.server().url(), "api/flags/stream?environment=" + environment, token, lastEventId);
        assertThat(stream.status()).isEqualTo(200);
        return stream;
    }

    private static JsonNode create(String json) {
        Api.Reply reply = api.post("/api/feature-flags", developer, json);
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        return reply.json();
    }

    private static JsonNode change(String key, long version, String rules) {
        Api.Reply reply = api.method("PUT", "/api/feature-flags/" + key, developer,
                "{\"environments\":{\"production\":{\"enabled\":true,\"rules\":" + rules + "}}}", Map.of("If-Match", "\"" + version + "\""));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    @Test
    void aSnapshotComesFirstThenEachChangeWithTheNextId() {
        create("{\"key\":\"streamed\",\"type\":\"experiment\",\"environments\":{\"production\":{\"enabled\":true},"
                + "\"staging\":{\"enabled\":false}}}");
        try (SseStream stream = open("production", viewer, null)) {
            SseStream.Event snapshot = stream.nextEvent(10);
            assertThat(snapshot.event()).isEqualTo("snapshot");
            long id = snapshot.idNumber();
            JsonNode data = snapshot.json();
            assertThat(data.get("environment").asText()).isEqualTo("production");
            assertThat(data.get("segments").isArray()).isTrue();
            JsonNode flag = null;
            for (JsonNode candidate : data.get("flags")) {
                if (candidate.get("key").asText().equals("streamed")) {
                    flag = candidate;
                }
            }
            assertThat(flag).isNotNull();
            List<String> fields = new ArrayList<>();
            flag.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).containsExactly("key", "type", "version", "enabled", "variants", "off_variant", "rules");
            assertThat(flag.get("type").asText()).isEqualTo("experiment");
            assertThat(flag.get("enabled").asBoolean()).isTrue();

            change("streamed", 1, "[{\"rollout\":5,\"serve\":{\"variant\":\"on\"}}]");
            SseStream.Event changed = stream.nextEvent(10);
            assertThat(changed.event()).isEqualTo("flag");
            assertThat(changed.idNumber()).isEqualTo(id + 1);
            assertThat(changed.json().get("version").asLong()).isEqualTo(2);
            assertThat(changed.json().get("rules").get(0).get("rollout").asInt()).isEqualTo(5);

            assertThat(api.post("/api/feature-flags/streamed/kill", developer, "{\"environment\":\"production\"}").status()).isEqualTo(200);
            SseStream.Event killed = stream.nextEvent(10);
            assertThat(killed.idNumber()).isEqualTo(id + 2);
            assertThat(killed.json().get("enabled").asBoolean()).isFalse();

            api.post("/api/flag-segments", developer, "{\"key\":\"streamers\",\"constraints\":[{\"attribute\":\"plan\",\"operator\":\"in\",\"values\":[\"pro\"]}]}");
            SseStream.Event segment = stream.nextEvent(10);
            assertThat(segment.event()).isEqualTo("segment");
            assertThat(segment.idNumber()).isEqualTo(id + 3);
            assertThat(segment.json().get("key").asText()).isEqualTo("streamers");
            assertThat(segment.json().get("constraints").get(0).get("operator").asText()).isEqualTo("in");
            assertThat(api.delete("/api/flag-segments/streamers", developer).status()).isEqualTo(204);
            SseStream.Event segmentRemoved = stream.nextEvent(10);
            assertThat(segmentRemoved.event()).isEqualTo("segment_removed");
            assertThat(segmentRemoved.json().get("key").asText()).isEqualTo("streamers");

            api.post("/api/feature-flags/streamed/archive", developer, "");
            SseStream.Event removed = stream.nextEvent(10);
            assertThat(removed.event()).isEqualTo("flag_removed");
            assertThat(removed.idNumber()).isEqualTo(id + 5);
            assertThat(removed.json().toString()).isEqualTo("{\"key\":\"streamed\"}");
        }
    }

    @Test
    void aClientResumingWithLastEventIdGetsOnlyWhatItMissed() {
        create("{\"key\":\"resumed\",\"environments\":{\"production\":{\"enabled\":true}}}");
        long seen;
        try (SseStream stream = open("production", viewer, null)) {
            seen = stream.nextEvent(10).idNumber();
        }
        change("resumed", 1, "[{\"rollout\":10,\"serve\":{\"variant\":\"on\"}}]");
        change("resumed", 2, "[{\"rollout\":20,\"serve\":{\"variant\":\"on\"}}]");

        try (SseStream stream = open("production", viewer, Long.toString(seen))) {
            SseStream.Event first = stream.nextEvent(10);
            SseStream.Event second = stream.nextEvent(10);
            assertThat(List.of(first.event(), second.event())).containsExactly("flag", "flag");
            assertThat(first.idNumber()).isEqualTo(seen + 1);
            assertThat(first.json().get("version").asLong()).isEqualTo(2);
            assertThat(second.idNumber()).isEqualTo(seen + 2);
            assertThat(second.json().get("version").asLong()).isEqualTo(3);

            change("resumed", 3, "[{\"rollout\":30,\"serve\":{\"variant\":\"on\"}}]");
            SseStream.Event live = stream.nextEvent(10);
            assertThat(live.idNumber()).isEqualTo(seen + 3);
            assertThat(live.json().get("version").asLong()).isEqualTo(4);
        }

        try (SseStream stream = open("production", viewer, "987654321")) {
            assertThat(stream.nextEvent(10).event()).as("an id the server never gave out: a fresh snapshot").isEqualTo("snapshot");
        }
    }

    @Test
    void aHeartbeatComesWhileNothingHappens() {
        try (SseStream stream = open("quiet", viewer, null)) {
            SseStream.Event snapshot = stream.nextEvent(10);
            assertThat(snapshot.json().get("flags")).isEmpty();
            SseStream.Event heartbeat = stream.next(5);
            while (heartbeat.event() != null) {
                heartbeat = stream.next(5);
            }
            assertThat(heartbeat.comment()).isEqualTo("heartbeat");
        }
    }

    @Test
    void deletingAnSdkTokenEndsItsOpenStreams() {
        Api.Reply issued = api.post("/api/flags/sdk-tokens", ADMIN, "{\"environment\":\"production\",\"name\":\"short-lived\"}");
        try (SseStream stream = open("production", issued.json().get("token").asText(), null)) {
            assertThat(stream.nextEvent(10).event()).isEqualTo("snapshot");

            assertThat(api.delete("/api/flags/sdk-tokens/" + issued.json().get("id").asText(), ADMIN).status()).isEqualTo(204);

            SseStream.Event next = stream.next(10);
            while (next.comment() != null && next.comment().equals("heartbeat")) {
                next = stream.next(10);
            }
            assertThat(next.comment()).isEqualTo("<end of stream>");
        }
    }

    @Test
    void aClientThatNeverReadsIsDroppedWhileTheOthersGetEveryChange() throws Exception {
        String payload = "x".repeat(200_000);
        create("{\"key\":\"heavy\",\"environments\":{\"production\":{\"enabled\":true,\"variants\":[{\"key\":\"on\",\"payload\":\""
                + payload + "\"},{\"key\":\"off\",\"payload\":false}]}}}");
        URI url = server.server().url();
        try (Socket stuck = new Socket(); SseStream healthy = open("production", viewer, null)) {
            stuck.setReceiveBufferSize(4096);
            stuck.connect(new InetSocketAddress(url.getHost(), url.getPort()));
            OutputStream request = stuck.getOutputStream();
            request.write(("GET /api/flags/stream?environment=production HTTP/1.1\r\nHost: " + url.getHost() + "\r\n"
                    + "Authorization: Bearer " + viewer + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            request.flush();
            assertThat(healthy.nextEvent(10).event()).isEqualTo("snapshot");
            awaitMetric("gantry_flag_stream_clients", value -> value >= 2);

            int changes = 50;
            for (int version = 1; version <= changes; version++) {
                Api.Reply reply = api.method("PUT", "/api/feature-flags/heavy", developer,
                        "{\"environments\":{\"production\":{\"enabled\":true,\"variants\":[{\"key\":\"on\",\"payload\":\"" + payload
                                + "\"},{\"key\":\"off\",\"payload\":" + version + "}]}}}", Map.of("If-Match", "\"" + version + "\""));
                assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            }

            long lastVersion = 0;
            while (lastVersion < changes + 1) {
                SseStream.Event event = healthy.nextEvent(20);
                lastVersion = event.json().get("version").asLong();
            }
            assertThat(lastVersion).isEqualTo(changes + 1);
            awaitMetric("gantry_flag_stream_dropped_total", value -> value >= 1);
            awaitMetric("gantry_flag_stream_clients", value -> value == 1);
        }
    }

    @Test
    void aChangeMadeOnOneReplicaReachesTheStreamsOfAnother() {
        try (TestServer second = TestServer.start(server.settings())) {
            awaitPlugin(second);
            create("{\"key\":\"replicated\",\"environments\":{\"production\":{\"enabled\":true}}}");
            try (SseStream stream = SseStream.open(second.server().url(), "api/flags/stream?environment=production", viewer, null)) {
                assertThat(stream.status()).isEqualTo(200);
                SseStream.Event snapshot = stream.nextEvent(10);
                assertThat(snapshot.json().get("flags").findValuesAsText("key")).contains("replicated");

                assertThat(api.post("/api/feature-flags/replicated/kill", developer, "{}").status()).isEqualTo(200);

                SseStream.Event killed = stream.nextEvent(10);
                assertThat(killed.idNumber()).isEqualTo(snapshot.idNumber() + 1);
                assertThat(killed.json().get("key").asText()).isEqualTo("replicated");
                assertThat(killed.json().get("enabled").asBoolean()).isFalse();
            }
        }
    }

    private static void awaitPlugin(TestServer replica) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (replica.api().get("/api/feature-flags", viewer).status() != 200 && Instant.now().isBefore(deadline)) {
            sleep(100);
        }
        assertThat(replica.api().get("/api/feature-flags", viewer).status()).isEqualTo(200);
    }

    private static void awaitMetric(String name, java.util.function.DoublePredicate expected) {
        Pattern line = Pattern.compile("^" + name + "\\s+(\\S+)$", Pattern.MULTILINE);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        double value = Double.NaN;
        while (Instant.now().isBefore(deadline)) {
            Matcher matcher = line.matcher(api.get("/metrics", null).body());
            if (matcher.find()) {
                value = Double.parseDouble(matcher.group(1));
                if (expected.test(value)) {
                    return;
                }
            }
            sleep(100);
        }
        throw new AssertionError(name + " is " + value);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
