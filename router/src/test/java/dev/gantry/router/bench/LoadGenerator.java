package dev.gantry.router.bench;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Open-loop HTTP/1.1 load at a fixed rate (scripts/bench-router): request i is due at start + i / rate, is sent then
 * whether or not earlier ones have answered (keep-alive connections from a pool, as many as are busy), and its
 * latency runs from when it was due to when its response completed, so a stall is not hidden by sending less
 * (no coordinated omission). A warm-up at the same rate goes first and is not counted.
 *
 * <pre>LoadGenerator URL RATE SECONDS WARMUP_SECONDS LABEL [PID,PID,... CLK_TCK]</pre>
 * Prints one line: {@code RESULT label sent ok errors late p50 p90 p99 p99.9 max from to} (latencies in ms), where
 * late is how many requests were sent more than 1 ms after they were due (the generator itself falling behind), and
 * [from, to) in epoch ms spans the counted phase (the warm-up's requests have all completed before it). With PIDs
 * (and the clock ticks per second, {@code getconf CLK_TCK}) it also prints {@code CPU pid percent} for each and
 * {@code CPU load percent} for itself: CPU time (user + system, from /proc) during the counted phase in percent of one
 * core; and {@code OTHER percent}: the machine's busy CPU time not spent by those processes or itself (the kernel's
 * softirq work for their sockets included) in percent of all cores.
 */
public final class LoadGenerator {
    private LoadGenerator() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int rate = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        String label = args[4];

        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("load");
        ClientConnector connector = new ClientConnector();
        connector.setExecutor(threads);
        HttpClient client = new HttpClient(new HttpClientTransportOverHTTP(connector));
        client.setExecutor(threads);
        client.setMaxConnectionsPerDestination(256);
        client.setMaxRequestsQueuedPerDestination(100_000);
        client.setUserAgentField(null);
        client.start();
        try {
            run(client, url, rate, warmup, null);
            // the warm-up's last samples are recorded by a router a moment after its responses arrive here
            Thread.sleep(500);
            long[] latencies = new long[rate * seconds];
            long[] pids = args.length > 6 ? Arrays.stream(args[5].split(",")).mapToLong(Long::parseLong).toArray() : new long[0];
            long self = ProcessHandle.current().pid();
            long[] cpuBefore = cpuTicks(pids);
            long selfBefore = cpuTicks(new long[] {self})[0];
            long busyBefore = busyTicks();
            long fromNanos = System.nanoTime();
            long fromMillis = System.currentTimeMillis();
            Outcome outcome = run(client, url, rate, seconds, latencies);
            long toMillis = System.currentTimeMillis() + 1;
            long[] cpuAfter = cpuTicks(pids);
            long selfAfter = cpuTicks(new long[] {self})[0];
            long busyAfter = busyTicks();
            double elapsed = (System.nanoTime() - fromNanos) / 1e9;
            long[] sorted = Arrays.copyOf(latencies, outcome.ok);
            Arrays.sort(sorted);
            System.out.printf("RESULT %s %d %d %d %d %.3f %.3f %.3f %.3f %.3f %d %d%n", label, latencies.length, outcome.ok,
                    outcome.errors, outcome.late, ms(percentile(sorted, 50)), ms(percentile(sorted, 90)),
                    ms(percentile(sorted, 99)), ms(percentile(sorted, 99.9)), ms(sorted.length == 0 ? 0 : sorted[sorted.length - 1]),
                    fromMillis, toMillis);
            if (pids.length > 0) {
                double ticksPerSecond = Long.parseLong(args[6]);
                long ours = selfAfter - selfBefore;
                for (int i = 0; i < pids.length; i++) {
                    System.out.printf("CPU %d %.0f%n", pids[i], 100.0 * (cpuAfter[i] - cpuBefore[i]) / ticksPerSecond / elapsed);
                    ours += cpuAfter[i] - cpuBefore[i];
                }
                System.out.printf("CPU load %.0f%n", 100.0 * (selfAfter - selfBefore) / ticksPerSecond / elapsed);
                int cores = Runtime.getRuntime().availableProcessors();
                System.out.printf("OTHER %.0f%n", Math.max(0, 100.0 * (busyAfter - busyBefore - ours) / ticksPerSecond / elapsed / cores));
            }
        } finally {
            client.stop();
        }
    }

    private record Outcome(int ok, int errors, int late) {
    }

    private static Outcome run(HttpClient client, String url, int rate, int seconds, long[] latencies) throws InterruptedException {
        int total = rate * seconds;
        double intervalNanos = 1e9 / rate;
        CountDownLatch done = new CountDownLatch(total);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        int late = 0;
        long start = System.nanoTime() + 10_000_000;
        for (int i = 0; i < total; i++) {
            long due = start + (long) (i * intervalNanos);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                if (wait > 100_000) {
                    LockSupport.parkNanos(wait - 50_000);
                } else {
                    Thread.onSpinWait();
                }
            }
            if (System.nanoTime() - due > 1_000_000) {
                late++;
            }
            client.newRequest(url).send((Result result) -> {
                long latency = System.nanoTime() - due;
                if (result.isSucceeded() && result.getResponse().getStatus() == 200) {
                    int n = ok.getAndIncrement();
                    if (latencies != null) {
                        latencies[n] = latency;
                    }
                } else {
                    errors.incrementAndGet();
                }
                done.countDown();
            });
        }
        if (!done.await(60, TimeUnit.SECONDS)) {
            System.err.println("load: " + done.getCount() + " requests still unanswered after 60 s");
        }
        return new Outcome(ok.get(), errors.get(), late);
    }

    /** utime + stime of each process, in clock ticks. */
    private static long[] cpuTicks(long[] pids) throws java.io.IOException {
        long[] ticks = new long[pids.length];
        for (int i = 0; i < pids.length; i++) {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pids[i] + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state): utime and stime are fields 14 and 15
            ticks[i] = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        }
        return ticks;
    }

    /** All CPUs' busy time (user, nice, system, irq, softirq, steal) from /proc/stat, in clock ticks. */
    private static long busyTicks() throws java.io.IOException {
        String[] cpu = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
        return Long.parseLong(cpu[1]) + Long.parseLong(cpu[2]) + Long.parseLong(cpu[3]) + Long.parseLong(cpu[6])
                + Long.parseLong(cpu[7]) + Long.parseLong(cpu[8]);
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
