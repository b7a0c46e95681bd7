package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.sdk.GantryFlags;
import dev.gantry.server.testing.Api;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flag propagation as connected applications see it (run by scripts/bench-flags-propagation, not by the build): a
 * real server, {@code gantry.flag.clients} SDK clients in this JVM, each on its own SSE connection, and
 * {@code gantry.flag.changes} changes made through the API one after another. A change's delay for a client runs
 * from just before the API request to when that client's listener is told; the figures are over every client and
 * change. Before and after the clients connect, the server's resident memory is read from /proc.
 */
class FlagBench {
    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void propagation(@TempDir Path workDir) throws Exception {
        int clients = Integer.getInteger("gantry.flag.clients", 1000);
        int changes = Integer.getInteger("gantry.flag.changes", 20);
        try (GantryProcess server = GantryProcess.start(workDir, Map.of())) {
            server.awaitReady(Duration.ofSeconds(120));
            Api api = new Api(server.url());
            Api.Reply created = api.post("/api/flags/sdk-tokens", GantryProcess.ADMIN_TOKEN,
                    "{\"environment\": \"production\", \"name\": \"bench\"}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String token = created.json().get("token").asText();
            long pid = server.process().pid();
            Thread.sleep(2000);
            long idleKib = residentKib(pid);

            Map<String, long[]> seen = new ConcurrentHashMap<>();
            // one HTTP client for all: each stream is still its own connection, as separate applications' would be
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
            List<GantryFlags> sdks = new ArrayList<>(clients);
            long connecting = System.nanoTime();
            for (int i = 0; i < clients; i++) {
                int client = i;
                sdks.add(GantryFlags.builder(server.url().toString(), token, "production").httpClient(http)
                        .exposureReporting(false)
                        .listener(keys -> {
                            long now = System.nanoTime();
                            for (String key : keys) {
                                long[] times = seen.get(key);
                                if (times != null && times[client] == 0) {
                                    times[client] = now;
                                }
                            }
                        })
                        .build());
            }
            for (GantryFlags sdk : sdks) {
                assertThat(sdk.awaitReady(Duration.ofSeconds(120))).isTrue();
            }
            double connectSeconds = (System.nanoTime() - connecting) / 1e9;
            Thread.sleep(3000);
            long connectedKib = residentKib(pid);

            List<Double> delays = new ArrayList<>();
            for (int change = 0; change < changes; change++) {
                String key = "bench-" + change;
                long[] times = new long[clients];
                seen.put(key, times);
                long started = System.nanoTime();
                Api.Reply flag = api.post("/api/feature-flags", GantryProcess.ADMIN_TOKEN,
                        "{\"name\": \"" + key + "\", \"rollout_percentage\": 50, \"target_users\": []}");
                assertThat(flag.status()).as(flag.body()).isEqualTo(201);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (java.util.Arrays.stream(times).anyMatch(t -> t == 0)) {
                    assertThat(System.nanoTime()).as("every client sees " + key + " within 30 s").isLessThan(deadline);
                    Thread.sleep(5);
                }
                for (long time : times) {
                    delays.add((time - started) / 1e6);
                }
                Thread.sleep(200);
            }
            sdks.forEach(GantryFlags::close);
            delays.sort(Double::compare);
            System.out.printf(java.util.Locale.ROOT, "flag propagation: %d clients, %d changes, %d deliveries%n",
                    clients, changes, delays.size());
            System.out.printf(java.util.Locale.ROOT, "flag propagation ms: p50 %.1f, p90 %.1f, p99 %.1f, max %.1f%n",
                    quantile(delays, 0.5), quantile(delays, 0.9), quantile(delays, 0.99), delays.get(delays.size() - 1));
            System.out.printf(java.util.Locale.ROOT, "flag streams: %d connected in %.1f s; server resident memory %d MiB idle, "
                    + "%d MiB with them (%.1f KiB per stream)%n", clients, connectSeconds, idleKib / 1024, connectedKib / 1024,
                    (connectedKib - idleKib) / (double) clients);
        }
    }

    private static double quantile(List<Double> sorted, double q) {
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1)));
    }

    private static long residentKib(long pid) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for process " + pid);
    }
}
