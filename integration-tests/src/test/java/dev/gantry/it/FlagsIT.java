package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.sdk.FlagContext;
import dev.gantry.sdk.GantryFlags;
import dev.gantry.server.testing.Api;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feature flags end to end: the real server and 50 SDK clients on real SSE connections. A kill switch reaches every
 * client; a write with an SDK token is refused; with the server stopped the clients keep answering from the flags they
 * last saw, and once it is back they reconnect by themselves and see what changed.
 */
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class FlagsIT {
    private static final String ADMIN = GantryProcess.ADMIN_TOKEN;
    private static final int CLIENTS = 50;
    private static final FlagContext USER = FlagContext.of("u-1");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path workDir;

    @Test
    void changesReachConnectedClientsWhichOutliveAServerRestart() throws Exception {
        int port = GantryProcess.freePort();
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("GANTRY_HTTP_HOST", "127.0.0.1");
        environment.put("GANTRY_HTTP_PORT", Integer.toString(port));
        environment.put("GANTRY_DATA_DIR", workDir.resolve("data").toString());
        environment.put("GANTRY_BOOTSTRAP_TOKEN", ADMIN);
        List<GantryFlags> clients = new ArrayList<>();
        GantryProcess server = GantryProcess.launch(workDir, environment, port);
        try {
            server.awaitReady(Duration.ofSeconds(120));
            Api api = new Api(server.url());
            Api.Reply created = api.post("/api/flags/sdk-tokens", ADMIN, "{\"environment\": \"production\", \"name\": \"checkout-service\"}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String sdkToken = created.json().get("token").asText();
            Api.Reply flag = api.post("/api/feature-flags", ADMIN,
                    "{\"name\": \"new-checkout\", \"rollout_percentage\": 100, \"target_users\": []}");
            assertThat(flag.status()).as(flag.body()).isEqualTo(201);

            AtomicLongArray sawKill = new AtomicLongArray(CLIENTS);
            for (int i = 0; i < CLIENTS; i++) {
                int client = i;
                GantryFlags flags = GantryFlags.builder(server.url().toString(), sdkToken, "production")
                        .backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                        .listener(keys -> {
                            if (keys.contains("new-checkout") && sawKill.get(client) == 0) {
                                sawKill.set(client, System.nanoTime());
                            }
                        })
                        .build();
                clients.add(flags);
            }
            for (GantryFlags client : clients) {
                assertThat(client.awaitReady(Duration.ofSeconds(30))).isTrue();
                assertThat(client.isEnabled("new-checkout", USER, false)).isTrue();
                assertThat(client.isEnabled("no-such-flag", USER, true)).as("an unknown flag is the caller's default").isTrue();
            }
            for (int i = 0; i < CLIENTS; i++) {
                sawKill.set(i, 0);
            }

            // an SDK token reads; it never writes
            Api.Reply write = api.post("/api/feature-flags", sdkToken, "{\"name\": \"sneaky\", \"rollout_percentage\": 100}");
            assertThat(write.status()).as(write.body()).isEqualTo(403);

            long killed = System.nanoTime();
            Api.Reply kill = api.post("/api/feature-flags/new-checkout/kill", ADMIN, "{\"environment\": \"production\"}");
            assertThat(kill.status()).as(kill.body()).isEqualTo(200);
            awaitAll(clients, client -> !client.isEnabled("new-checkout", USER, true), Duration.ofSeconds(20));
            List<Long> delays = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                delays.add((sawKill.get(i) - killed) / 1_000_000);
            }
            delays.sort(Long::compare);
            // the figure goes to the output; scripts/bench-flags-propagation measures it at size
            System.out.println("Kill switch seen by " + CLIENTS + " clients: median " + delays.get(CLIENTS / 2) + " ms, max "
                    + delays.get(CLIENTS - 1) + " ms");
        } finally {
            server.close();
        }

        // the server is gone: the clients still answer from what they last saw
        for (GantryFlags client : clients) {
            assertThat(client.isEnabled("new-checkout", USER, true)).isFalse();
        }

        GantryProcess again = GantryProcess.launch(workDir, environment, port);
        try {
            again.awaitReady(Duration.ofSeconds(120));
            Api api = new Api(again.url());
            Api.Reply flag = api.post("/api/feature-flags", ADMIN,
                    "{\"name\": \"after-restart\", \"rollout_percentage\": 100, \"target_users\": []}");
            assertThat(flag.status()).as(flag.body()).isEqualTo(201);
            awaitAll(clients, client -> client.isEnabled("after-restart", USER, false), Duration.ofSeconds(60));
            for (GantryFlags client : clients) {
                assertThat(client.isEnabled("new-checkout", USER, true)).isFalse();
            }
        } finally {
            clients.forEach(GantryFlags::close);
            again.close();
        }
    }

    private static void awaitAll(List<GantryFlags> clients, java.util.function.Predicate<GantryFlags> condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (clients.stream().allMatch(condition)) {
                return;
            }
            Thread.sleep(20);
        }
        long behind = clients.stream().filter(condition.negate()).count();
        throw new AssertionError(behind + " of " + clients.size() + " clients never saw the change within " + timeout);
    }
}
