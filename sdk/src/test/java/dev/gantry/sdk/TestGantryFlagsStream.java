package dev.gantry.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a real event stream over HTTP (TestFlagServer speaks docs/flags.md's stream). */
class TestGantryFlagsStream {
    private static final String TOKEN = "gantry_sdk_test";
    private static final String CHECKOUT_ON = TestFlagServer.flag("checkout", 1, true, "[{\"serve\": {\"variant\": \"on\"}}]");
    private static final String CHECKOUT_OFF = TestFlagServer.flag("checkout", 2, false, "[{\"serve\": {\"variant\": \"on\"}}]");
    private static final FlagContext USER = FlagContext.builder("u-1").attribute("country", "DE").build();

    private TestFlagServer server;
    private final List<GantryFlags> clients = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        RecordingLoggerFinder.clear();
        server = new TestFlagServer(TOKEN, "production").start();
        server.putFlag(CHECKOUT_ON);
    }

    @AfterEach
    void stopAll() {
        clients.forEach(GantryFlags::close);
        server.stop();
    }

    private GantryFlags.Builder client(String token) {
        return GantryFlags.builder(server.url(), token, "production")
                .backoff(Duration.ofMillis(50), Duration.ofMillis(400))
                .connectTimeout(Duration.ofSeconds(2));
    }

    private GantryFlags started(GantryFlags.Builder builder) {
        GantryFlags flags = builder.build();
        clients.add(flags);
        return flags;
    }

    private static void eventually(Runnable assertion) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }

    @Test
    void appliesTheSnapshotThenEachChange() throws Exception {
        List<List<String>> changes = new CopyOnWriteArrayList<>();
        GantryFlags flags = started(client(TOKEN).listener(changes::add));
        assertThat(flags.awaitReady(Duration.ofSeconds(10))).isTrue();
        assertThat(flags.status().state()).isEqualTo(ConnectionState.CONNECTED);
        assertThat(flags.status().disconnectedSince()).isEmpty();
        assertThat(flags.isEnabled("checkout", USER, false)).isTrue();

        server.putFlag(CHECKOUT_OFF);
        eventually(() -> assertThat(flags.isEnabled("checkout", USER, true)).isFalse());
        assertThat(flags.evaluate("checkout", USER).reason()).isEqualTo(Reason.DISABLED);

        server.putSegment("{\"key\": \"germany\", \"constraints\": [{\"attribute\": \"country\", \"operator\": \"in\","
                + " \"values\": [\"DE\"]}]}");
        server.putFlag(TestFlagServer.flag("eu-banner", 1, true,
                "[{\"segments\": [\"germany\"], \"serve\": {\"variant\": \"on\"}}]"));
        eventually(() -> assertThat(flags.isEnabled("eu-banner", USER, false)).isTrue());
        server.putSegment("{\"key\": \"germany\", \"constraints\": [{\"attribute\": \"country\", \"operator\": \"in\","
                + " \"values\": [\"AT\"]}]}");
        eventually(() -> assertThat(flags.isEnabled("eu-banner", USER, true)).isFalse());
        server.removeSegment("germany");
        server.removeFlag("checkout");
        eventually(() -> assertThat(flags.evaluate("checkout", USER).reason()).isEqualTo(Reason.FLAG_NOT_FOUND));
        assertThat(flags.isEnabled("checkout", USER, true)).isTrue();
        assertThat(flags.flagKeys()).containsExactly("eu-banner");

        eventually(() -> assertThat(changes).contains(List.of("checkout"), List.of("eu-banner")));
        eventually(() -> assertThat(flags.status().lastEventId()).contains(Long.toString(server.lastId())));
    }

    @Test
    void anOlderVersionArrivingLateDoesNotUndoANewerOne() throws Exception {
        GantryFlags flags = started(client(TOKEN));
        assertThat(flags.awaitReady(Duration.ofSeconds(10))).isTrue();
        server.putFlag(CHECKOUT_OFF);
        eventually(() -> assertThat(flags.isEnabled("checkout", USER, true)).isFalse());
        server.putFlag(CHECKOUT_ON); // version 1 after version 2
        String last = Long.toString(server.lastId());
        eventually(() -> assertThat(flags.status().lastEventId()).contains(last));
        assertThat(flags.isEnabled("checkout", USER, true)).isFalse();
        assertThat(flags.evaluate("checkout", USER).flagVersion()).isEqualTo(2);
    }

    @Test
    void resumesWithLastEventIdAfterTheServerDropsTheStream() throws Exception {
        GantryFlags flags = started(client(TOKEN));
        assertThat(flags.awaitReady(Duration.ofSeconds(10))).isTrue();
        String seen = Long.toString(server.lastId());
        eventually(() -> assertThat(flags.status().lastEventId()).contains(seen));

        server.dropConnections();
        server.putFlag(CHECKOUT_OFF);
        eventually(() -> assertThat(flags.isEnabled("checkout", USER, true)).isFalse());
        eventually(() -> assertThat(server.lastEventIds()).hasSizeGreaterThanOrEqualTo(2));
        assertThat(server.lastEventIds().get(0)).isEmpty();
        // the reconnect resumed from the last event seen, so it got the change and no new snapshot
        assertThat(server.lastEventIds().get(1)).isEqualTo(seen);
    }

    @Test
    void keepsServingTheLastFlagsWhileTheServerIsDownAndCatchesUpWhenItIsBack() throws Exception {
        GantryFlags flags = started(client(TOKEN));
        assertThat(flags.awaitReady(Duration.ofSeconds(10))).isTrue();

        server.stop();
        eventually(() -> assertThat(flags.status().state()).isEqualTo(ConnectionState.CONNECTING));
        assertThat(flags.status().disconnectedSince()).isPresent();
        assertThat(flags.status().lastError()).isPresent();
        Thread.sleep(300); // a few failed reconnects
        assertThat(flags.isEnabled("checkout", USER, false)).isTrue();
        assertThat(flags.evaluate("checkout", USER).reason()).isEqualTo(Reason.TARGETING_MATCH);

        // changed while the client could not hear it; the restarted server still has the events
        server.putFlag(CHECKOUT_OFF);
        server.start();
        eventually(() -> assertThat(flags.isEnabled("checkout", USER, true)).isFalse());
        eventually(() -> assertThat(flags.status().state()).isEqualTo(ConnectionState.CONNECTED));
        assertThat(flags.status().disconnectedSince()).isEmpty();

        // and once more, with the history gone: a fresh snapshot
        server.stop();
        server.putFlag(CHECKOUT_ON);
        server.forgetHistory();
        server.start();
        eventually(() -> assertThat(flags.isEnabled("checkout", USER, false)).isTrue());
        List<RecordingLoggerFinder.Entry> warnings = RecordingLoggerFinder.entries(
                e -> e.level() == System.Logger.Level.WARNING && e.message().contains("serving the last known flags (1)"));
        assertThat(warnings).hasSizeBetween(1, 2);
    }

    @Test
    void aRefusedTokenIsReportedOnceAndNotRetriedInALoop() throws Exception {
        GantryFlags flags = started(client("not-the-token").backoff(Duration.ofMillis(50), Duration.ofSeconds(1)));
        assertThat(flags.awaitReady(Duration.ofSeconds(10))).isFalse();
        assertThat(flags.status().state()).isEqualTo(ConnectionState.UNAUTHORIZED);
        assertThat(flags.status().lastError()).hasValueSatisfying(e -> assertThat(e).contains("HTTP 401")
                .contains("invalid SDK token"));
        Thread.sleep(1500);
        // the first request, then at most one every 0.5–1 s
        assertThat(server.streamStatuses()).containsOnly(401).hasSizeBetween(2, 5);
        List<RecordingLoggerFinder.Entry> errors = RecordingLoggerFinder.entries(
                e -> e.level() == System.Logger.Level.ERROR && e.message().contains("refused the SDK token"));
        assertThat(errors).hasSize(1);
        assertThat(flags.isEnabled("checkout", USER, true)).isTrue();
    }

    @Test
    void aSilentStreamIsDroppedAndMadeAgainButHeartbeatsKeepItOpen() throws Exception {
        server.heartbeatEvery(100);
        // the request timeout (connectTimeout) bounds waiting for the response headers only, not the stream
        GantryFlags flags = started(client(TOKEN).heartbeatTimeout(Duration.ofMillis(800))
                .connectTimeout(Duration.ofMillis(500)));
        assertThat(flags.awaitReady(Duration.ofSeconds(10))).isTrue();
        Thread.sleep(2000);
        assertThat(server.lastEventIds()).as("heartbeats are liveness").hasSize(1);

        server.goSilent(true);
        eventually(() -> assertThat(server.lastEventIds()).hasSizeGreaterThanOrEqualTo(2));
        assertThat(server.lastEventIds().get(1)).isEqualTo(Long.toString(server.lastId()));
        server.goSilent(false);
        server.putFlag(CHECKOUT_OFF);
        eventually(() -> assertThat(flags.isEnabled("checkout", USER, true)).isFalse());
    }

    @Test
    void postsExposureCounts() throws Exception {
        server.putFlag(TestFlagServer.flag("half", 1, true, "[{\"rollout\": 50, \"serve\": {\"variant\": \"on\"}}]"));
        GantryFlags flags = started(client(TOKEN).exposureInterval(Duration.ofMillis(300)));
        assertThat(flags.awaitReady(Duration.ofSeconds(10))).isTrue();
        int on = 0;
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 1000; i++) {
                if (flags.isEnabled("half", FlagContext.of("user-" + i), false)) {
                    on++;
                }
            }
        }
        flags.isEnabled("no-such-flag", USER, false);
        flags.close();
        List<String> bodies = server.exposureBodies();
        assertThat(bodies).isNotEmpty();
        long onCount = 0;
        long offCount = 0;
        long users = 0;
        for (String body : bodies) {
            Map<String, Object> report = TestFlagServer.parse(body);
            assertThat(report.get("environment")).isEqualTo("production");
            for (Object item : Json.array(report.get("flags"), "flags")) {
                Map<String, Object> flag = Json.object(item, "flag");
                assertThat(flag.get("key")).isEqualTo("half");
                Map<String, Object> variants = Json.object(flag.get("variants"), "variants");
                onCount += variants.get("on") instanceof Long n ? n : 0;
                offCount += variants.get("off") instanceof Long n ? n : 0;
                users = Math.max(users, (Long) flag.get("users"));
            }
        }
        assertThat(onCount).isEqualTo(on);
        assertThat(onCount + offCount).isEqualTo(3000);
        assertThat(users).isBetween(950L, 1050L);
    }

    @Test
    void aFailingExposureEndpointChangesNothing() throws Exception {
        server.answerExposures(404);
        GantryFlags flags = started(client(TOKEN).exposureInterval(Duration.ofMillis(100)));
        assertThat(flags.awaitReady(Duration.ofSeconds(10))).isTrue();
        for (int i = 0; i < 50; i++) {
            assertThat(flags.isEnabled("checkout", FlagContext.of("u-" + i), false)).isTrue();
            Thread.sleep(10);
        }
        assertThat(RecordingLoggerFinder.entries(e -> e.message().contains("exposure"))).isEmpty();
    }

    @Test
    void startsFromTheLocalFileAndKeepsItCurrent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cache").resolve("flags.json");
        GantryFlags first = started(client(TOKEN).localFile(file));
        assertThat(first.awaitReady(Duration.ofSeconds(10))).isTrue();
        server.putFlag(TestFlagServer.flag("from-file", 3, true, "[{\"serve\": {\"variant\": \"on\"}}]"));
        eventually(() -> assertThat(file).exists().content().contains("from-file"));
        first.close();

        server.stop();
        GantryFlags second = started(client(TOKEN).localFile(file));
        assertThat(second.hasFlags()).isTrue();
        assertThat(second.isReady()).isFalse();
        assertThat(second.isEnabled("from-file", USER, false)).isTrue();
        assertThat(second.isEnabled("checkout", USER, false)).isTrue();
        assertThat(second.status().state()).isEqualTo(ConnectionState.CONNECTING);
        server.putFlag(CHECKOUT_OFF);
        server.start();
        assertThat(second.awaitReady(Duration.ofSeconds(10))).isTrue();
        assertThat(second.isEnabled("checkout", USER, true)).isFalse();

        try (GantryFlags offline = GantryFlags.offline("production").localFile(file).build()) {
            assertThat(offline.status().state()).isEqualTo(ConnectionState.OFFLINE);
            assertThat(offline.isReady()).isTrue();
            eventually(() -> {
                try (GantryFlags again = GantryFlags.offline("production").localFile(file).build()) {
                    assertThat(again.isEnabled("checkout", USER, true)).isFalse();
                }
            });
        }
    }

    @Test
    void anUnreadableLocalFileIsIgnored(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("flags.json");
        Files.writeString(file, "{not json");
        GantryFlags flags = started(client(TOKEN).localFile(file).writeLocalFile(false));
        assertThat(flags.awaitReady(Duration.ofSeconds(10))).isTrue();
        assertThat(flags.isEnabled("checkout", USER, false)).isTrue();
        assertThat(Files.readString(file)).isEqualTo("{not json");
        assertThat(RecordingLoggerFinder.entries(e -> e.message().contains("ignored the local file"))).hasSize(1);
    }

    @Test
    void closingStopsTheStreamButEvaluationsGoOn() throws Exception {
        server.heartbeatEvery(50); // the server notices a closed connection when it next writes
        GantryFlags flags = started(client(TOKEN));
        assertThat(flags.awaitReady(Duration.ofSeconds(10))).isTrue();
        flags.close();
        assertThat(flags.status().state()).isEqualTo(ConnectionState.CLOSED);
        eventually(() -> assertThat(server.openConnections()).isZero());
        assertThat(flags.isEnabled("checkout", USER, false)).isTrue();
    }
}
