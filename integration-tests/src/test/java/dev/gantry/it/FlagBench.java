package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.OperatingSystemMXBean;
import dev.gantry.sdk.GantryFlags;
import dev.gantry.server.testing.Api;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flag propagation as connected applications see it (run by scripts/bench-flags-propagation, not by the build): a
 * real server, {@code gantry.flag.clients} streams in this JVM, each its own HTTP/1.1 SSE connection, and
 * {@code gantry.flag.changes} changes made through the API one after another. The first {@code gantry.flag.sdk-clients}
 * streams (default: all) are SDK clients, timed when their listener is told; the others are light readers
 * ({@link RawEventStreams}), timed when the event's bytes are read from their socket. A delay runs from just before the
 * API request; the figures are over every stream and change, and for each kind. {@code gantry.flag.warmup} changes
 * (default 0) go first, untimed. Per change it also notes when the API answered, when the last stream had the change,
 * and the CPU time the server (with its PostgreSQL) and this JVM spent meanwhile; over the timed changes, the CPU time
 * of the whole machine, so that what other processes took is known, and the server's by thread. Before and after the
 * streams connect, the server's resident memory is read from /proc.
 */
class FlagBench {
    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    /** The clock ticks of /proc/PID/stat: 100 a second on Linux (USER_HZ). */
    private static final int TICKS_PER_SECOND = (int) ProcFs.TICKS_PER_SECOND;

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void propagation(@TempDir Path workDir) throws Exception {
        int clients = Integer.getInteger("gantry.flag.clients", 1000);
        int sdkClients = Math.min(clients, Integer.getInteger("gantry.flag.sdk-clients", clients));
        int changes = Integer.getInteger("gantry.flag.changes", 20);
        int warmup = Integer.getInteger("gantry.flag.warmup", 0);
        String serverOpts = System.getProperty("gantry.flag.server-opts", "");
        // a recording of the server (GANTRY_OPTS=-XX:StartFlightRecording...) needs class-data recording off: the JVM
        // turns JFR off while it records the archive
        Map<String, String> settings = serverOpts.isBlank() ? Map.of() : Map.of("GANTRY_OPTS", serverOpts, "GANTRY_CDS", "off");
        try (GantryProcess server = GantryProcess.start(workDir, settings)) {
            server.awaitReady(Duration.ofSeconds(120));
            Api api = new Api(server.url());
            Api.Reply created = api.post("/api/flags/sdk-tokens", GantryProcess.ADMIN_TOKEN,
                    "{\"environment\": \"production\", \"name\": \"bench\"}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String token = created.json().get("token").asText();
            long pid = server.process().pid();
            Thread.sleep(2000);
            long idleKib = ProcFs.residentKib(pid);

            Map<String, long[]> seen = new ConcurrentHashMap<>();
            // one HTTP client for all: each stream is still its own connection, as separate applications' would be
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
            List<GantryFlags> sdks = new ArrayList<>(sdkClients);
            long connecting = System.nanoTime();
            for (int i = 0; i < sdkClients; i++) {
                int client = i;
                sdks.add(GantryFlags.builder(server.url().toString(), token, "production").httpClient(http)
                        .exposureReporting(false)
                        .listener(keys -> {
                            long now = System.nanoTime();
                            for (String key : keys) {
                                arrived(seen, key, client, now);
                            }
                        })
                        .build());
            }
            RawEventStreams raw = new RawEventStreams(server.url(), token, "production", sdkClients, clients - sdkClients,
                    (stream, key, now) -> arrived(seen, key, stream, now));
            try {
                for (GantryFlags sdk : sdks) {
                    assertThat(sdk.awaitReady(Duration.ofSeconds(120))).isTrue();
                }
                assertThat(raw.awaitSnapshots(Duration.ofSeconds(120))).as("every raw stream got its snapshot").isTrue();
                double connectSeconds = (System.nanoTime() - connecting) / 1e9;
                Thread.sleep(3000);
                long connectedKib = ProcFs.residentKib(pid);

                List<Double> all = new ArrayList<>();
                List<Double> ofSdks = new ArrayList<>();
                List<Double> ofRaw = new ArrayList<>();
                List<Double> answered = new ArrayList<>();
                List<Double> lastDelivery = new ArrayList<>();
                List<Double> serverCpu = new ArrayList<>();
                List<Double> benchCpu = new ArrayList<>();
                long[] timedFrom = new long[3];
                Map<String, Long> serverThreadsFrom = Map.of();
                long timedStart = 0;
                for (int change = -warmup; change < changes; change++) {
                    boolean timed = change >= 0;
                    if (change == 0) {
                        timedFrom = new long[] {ProcFs.busyTicks(), serverTicks(server), ProcFs.cpuTicks(ProcessHandle.current().pid())};
                        serverThreadsFrom = ProcFs.threadTicks(pid);
                        timedStart = System.nanoTime();
                    }
                    String key = timed ? "bench-" + change : "warmup-" + (warmup + change);
                    long[] times = new long[clients];
                    seen.put(key, times);
                    long serverTicks = serverTicks(server);
                    long benchNanos = OS.getProcessCpuTime();
                    long started = System.nanoTime();
                    Api.Reply flag = api.post("/api/feature-flags", GantryProcess.ADMIN_TOKEN,
                            "{\"name\": \"" + key + "\", \"rollout_percentage\": 50, \"target_users\": []}");
                    long answeredAt = System.nanoTime();
                    assertThat(flag.status()).as(flag.body()).isEqualTo(201);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (Arrays.stream(times).anyMatch(t -> t == 0)) {
                        assertThat(System.nanoTime()).as("every client sees " + key + " within 30 s").isLessThan(deadline);
                        Thread.sleep(5);
                    }
                    double serverMillis = (serverTicks(server) - serverTicks) * 1000.0 / TICKS_PER_SECOND;
                    double benchMillis = (OS.getProcessCpuTime() - benchNanos) / 1e6;
                    Thread.sleep(200);
                    if (!timed) {
                        continue;
                    }
                    serverCpu.add(serverMillis);
                    benchCpu.add(benchMillis);
                    answered.add((answeredAt - started) / 1e6);
                    lastDelivery.add((Arrays.stream(times).max().orElseThrow() - started) / 1e6);
                    for (int i = 0; i < clients; i++) {
                        double delay = (times[i] - started) / 1e6;
                        all.add(delay);
                        (i < sdkClients ? ofSdks : ofRaw).add(delay);
                    }
                }
                double timedSeconds = (System.nanoTime() - timedStart) / 1e9;
                long machine = ProcFs.busyTicks() - timedFrom[0];
                long ofServer = serverTicks(server) - timedFrom[1];
                long ofBench = ProcFs.cpuTicks(ProcessHandle.current().pid()) - timedFrom[2];
                Map<String, Long> serverThreads = ProcFs.threadTicks(pid);
                System.out.printf(Locale.ROOT, "flag propagation: %d streams (%d SDK clients, %d raw readers), %d changes "
                        + "after %d untimed, %d deliveries%n", clients, sdkClients, clients - sdkClients, changes, warmup, all.size());
                print("all streams", all);
                if (sdkClients > 0 && sdkClients < clients) {
                    print("SDK clients", ofSdks);
                    print("raw readers", ofRaw);
                }
                System.out.printf(Locale.ROOT, "flag per change (median, max): API answered %.1f, %.1f ms; "
                                + "last stream had it %.1f, %.1f ms; CPU of the server and its PostgreSQL %.0f, %.0f ms, of the clients' JVM "
                                + "%.0f, %.0f ms%n",
                        median(answered), max(answered), median(lastDelivery), max(lastDelivery),
                        median(serverCpu), max(serverCpu), median(benchCpu), max(benchCpu));
                System.out.printf(Locale.ROOT, "flag CPU during the timed changes: %.1f s busy of %.1f s on %d cores; the server "
                                + "and its PostgreSQL %.1f s, the clients' JVM %.1f s, other processes %.1f s%n",
                        machine / (double) TICKS_PER_SECOND, timedSeconds * Runtime.getRuntime().availableProcessors(),
                        Runtime.getRuntime().availableProcessors(), ofServer / (double) TICKS_PER_SECOND,
                        ofBench / (double) TICKS_PER_SECOND, (machine - ofServer - ofBench) / (double) TICKS_PER_SECOND);
                StringBuilder busiest = new StringBuilder();
                Map<String, Long> from = serverThreadsFrom;
                serverThreads.entrySet().stream()
                        .map(e -> Map.entry(e.getKey(), e.getValue() - from.getOrDefault(e.getKey(), 0L)))
                        .filter(e -> e.getValue() > 0)
                        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                        .limit(6)
                        .forEach(e -> busiest.append(busiest.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
                                .append(String.format(Locale.ROOT, "%.0f", e.getValue() * 1000.0 / TICKS_PER_SECOND / changes)));
                System.out.printf(Locale.ROOT, "flag server CPU per timed change by thread, ms: %s%n", busiest);
                System.out.printf(Locale.ROOT, "flag streams: %d connected in %.1f s; server resident memory %d MiB idle, "
                        + "%d MiB with them (%.1f KiB per stream)%n", clients, connectSeconds, idleKib / 1024, connectedKib / 1024,
                        (connectedKib - idleKib) / (double) clients);
            } finally {
                sdks.forEach(GantryFlags::close);
                raw.close();
            }
        }
    }

    private static void arrived(Map<String, long[]> seen, String key, int stream, long now) {
        long[] times = seen.get(key);
        if (times != null && times[stream] == 0) {
            times[stream] = now;
        }
    }

    private static void print(String what, List<Double> delays) {
        List<Double> sorted = new ArrayList<>(delays);
        sorted.sort(Double::compare);
        System.out.printf(Locale.ROOT, "flag propagation ms, %s: p50 %.1f, p90 %.1f, p99 %.1f, max %.1f%n", what,
                quantile(sorted, 0.5), quantile(sorted, 0.9), quantile(sorted, 0.99), sorted.get(sorted.size() - 1));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        return quantile(sorted, 0.5);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }

    private static double quantile(List<Double> sorted, double q) {
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1)));
    }

    /** The CPU time of the server and its PostgreSQL, in clock ticks (of the processes running now). */
    private static long serverTicks(GantryProcess server) {
        long ticks = 0;
        for (ProcessHandle process : server.processes()) {
            ticks += ProcFs.cpuTicks(process.pid()); // 0 when it ended meanwhile
        }
        return ticks;
    }
}
