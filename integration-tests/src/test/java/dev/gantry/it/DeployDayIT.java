package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compressed day of deploys on one machine: {@code gantry.day.services} services (10 here) on one process target,
 * each behind its own router, get their first deploy; then {@code gantry.day.deploys} deploys (100) go to them in turn,
 * {@code gantry.day.parallel} at a time (8), every {@code gantry.day.canary-every}-th (4th) a canary (1 s at 10 %, then
 * 100 % and a 1 s bake), the others rolling. Each deploy is a new artifact, uploaded just before it, that busybox httpd
 * serves, so the machine's work is Gantry's and not the services' start. Light traffic goes through every router all
 * day ({@code gantry.day.rps}, 20 requests a second in all).
 *
 * <p>What a user would see is asserted: every deploy succeeds and none is left unfinished, every request is answered
 * 200, and afterwards each service serves its last version from one instance. The figures are printed on lines that
 * start with {@code day } (scripts/bench-deploy-day runs this at full size and greps them): wall time, deploys per
 * minute, where a deploy's time goes, CPU and memory of the server, its PostgreSQL, the routers and the instances, and
 * the database's growth. Nothing here asserts a time.
 */
class DeployDayIT {
    private static final int SERVICES = Integer.getInteger("gantry.day.services", 10);
    private static final int DEPLOYS = Integer.getInteger("gantry.day.deploys", 100);
    private static final int PARALLEL = Integer.getInteger("gantry.day.parallel", Math.min(8, SERVICES));
    /**
     * First deploys at a time: each starts a router, a JVM that takes about 3 CPU-seconds to answer, and more at once
     * than there are cores outlast the process deployer's router-start-timeout (10 s) and fail.
     */
    private static final int SETUP_PARALLEL = Integer.getInteger("gantry.day.setup-parallel",
            Runtime.getRuntime().availableProcessors());
    private static final int CANARY_EVERY = Integer.getInteger("gantry.day.canary-every", 4);
    private static final int RPS = Integer.getInteger("gantry.day.rps", 20);
    /** No new deploy starts after this; the test then fails. Every other wait is bounded too. */
    private static final Duration DEADLINE = Duration.ofMinutes(Integer.getInteger("gantry.day.deadline-minutes", 15));
    private static final Duration DEPLOY_TIMEOUT = Duration.ofMinutes(3);
    private static final String ENVIRONMENT = "production";
    private static final String ACTIVE = "queued,pending,awaiting_approval,in_progress,paused,rolling_back";

    /** One deploy of the day: the {@code round}-th of {@code service}. */
    private record Planned(int index, String service, int round, boolean canary) {
        String page() {
            return service + " round " + round;
        }
    }

    /** What became of a deploy; {@code deploy} is its final state from the API, null if it never got one. */
    private record Done(Planned planned, String id, JsonNode deploy, String problem, long uploadNanos,
                        long startNanos, long seenDoneNanos) {
        String status() {
            return deploy == null ? "none" : deploy.get("status").asText();
        }
    }

    @Test
    void aCompressedDayOfDeploysEndsWithEveryDeploySucceededAndNoRequestLost(
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path workDir) throws Exception {
        assertThat(PARALLEL).as("gantry.day.parallel").isBetween(1, 200);
        assertThat(busyboxOnPath()).as("busybox on the PATH (Debian's busybox-static): it serves every deployed version")
                .isTrue();
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        try (GantryProcess server = GantryProcess.start(workDir, Map.of())) {
            server.awaitReady(Duration.ofSeconds(120));
            DeployClient deploys = new DeployClient(new Api(server.url()));
            Path dataDir = server.dataDir().toAbsolutePath();
            Sizes empty = Sizes.of(server, dataDir);

            List<String> services = new ArrayList<>();
            for (int i = 0; i < SERVICES; i++) {
                services.add(String.format(Locale.ROOT, "svc-%03d", i));
            }
            Map<String, Integer> ports = routerPorts(services);
            deploys.environment(ENVIRONMENT, ports, ", \"health_timeout\": \"30s\", \"bake\": \"1s\"");
            for (String service : services) {
                deploys.service("""
                        {"service": "%s", "instances": 1, "health_path": "/healthz",
                         "strategy": {"type": "canary", "steps": [{"weight": 10, "hold": "1s"}, {"weight": 100}]}}"""
                        .formatted(service));
            }

            try (Sampler sampler = new Sampler(server, dataDir); Finisher finisher = new Finisher(deploys)) {
                // each service's first deploy starts its router and its first instance: before the day, not part of it
                long setupStart = System.nanoTime();
                List<Planned> firsts = new ArrayList<>();
                for (int i = 0; i < SERVICES; i++) {
                    firsts.add(new Planned(i, services.get(i), 0, false));
                }
                List<Done> setup = run(deploys, finisher, firsts, SETUP_PARALLEL, setupStart);
                double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
                assertThat(unsucceeded(setup)).as("first deploys that did not succeed").isEmpty();

                List<Planned> day = new ArrayList<>();
                for (int k = 0; k < DEPLOYS; k++) {
                    int s = k % SERVICES;
                    int round = 1 + k / SERVICES;
                    // by service and round, so that each service gets canaries whatever the numbers
                    day.add(new Planned(k, services.get(s), round, (s + round) % CANARY_EVERY == CANARY_EVERY - 1));
                }
                Map<Integer, String> serviceByPort = new HashMap<>();
                ports.forEach((service, port) -> serviceByPort.put(port, service));
                List<DeployClient.Hit> hits;
                List<Done> done;
                Usage before;
                Usage after;
                Sizes atStart = Sizes.of(server, dataDir);
                long dayStart;
                long dayEnd;
                Duration pause = Duration.ofMillis(Math.max(1, 1000 / Math.max(1, RPS)));
                try (DeployClient.Traffic traffic = new DeployClient.Traffic(List.copyOf(ports.values()), 1, pause)) {
                    sampler.dayStarts();
                    before = Usage.of(server, dataDir);
                    dayStart = System.nanoTime();
                    done = run(deploys, finisher, day, PARALLEL, dayStart);
                    dayEnd = System.nanoTime();
                    after = Usage.of(server, dataDir);
                    sampler.dayEnds();
                    Thread.sleep(300); // requests in flight when the last deploy ended
                    hits = traffic.hits();
                }
                Sizes atEnd = Sizes.of(server, dataDir);
                String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();

                report(setupSeconds, done, dayStart, dayEnd, before, after, sampler, empty, atStart, atEnd, hits,
                        loadBefore, loadAfter, server);

                // what a user would observe
                assertThat(unsucceeded(done)).as("deploys that did not succeed").isEmpty();
                assertThat(done).as("deploys made before the deadline (%s)", DEADLINE).hasSize(DEPLOYS);
                Api.Reply active = deploys.api().get("/api/deploys?environment=" + ENVIRONMENT + "&status=" + ACTIVE
                        + "&limit=200", DeployClient.ADMIN);
                assertThat(active.json().get("deploys")).as("deploys still running after the day").isEmpty();
                List<DeployClient.Hit> failed = hits.stream().filter(hit -> hit.status() != 200).toList();
                assertThat(failed).as("requests through the routers not answered 200 (of %d), the first ones: %s",
                        hits.size(), failed.stream().limit(10).map(hit -> serviceByPort.get(hit.port()) + " "
                                + hit.status() + " " + hit.body()).toList()).isEmpty();
                assertThat(hits.size()).as("requests sent through the routers").isPositive();
                Map<String, String> lastPage = new LinkedHashMap<>();
                for (Planned planned : firsts) {
                    lastPage.put(planned.service(), planned.page());
                }
                day.forEach(planned -> lastPage.put(planned.service(), planned.page()));
                HttpClient http = HttpClient.newHttpClient();
                for (String service : services) {
                    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + ports.get(service) + "/"))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(answer.statusCode()).as(service).isEqualTo(200);
                    assertThat(answer.body().trim()).as("what %s serves after the day", service)
                            .isEqualTo(lastPage.get(service));
                }
                Targets targets = Targets.of(dataDir);
                assertThat(targets.routers()).as("routers running").hasSize(SERVICES);
                assertThat(targets.instances()).as("instances running (one per service, none left behind)")
                        .hasSize(SERVICES);
            }
        } finally {
            DeployClient.killTargets(workDir);
        }
    }

    /**
     * Runs the deploys, {@link #PARALLEL} at a time, in their order, except that a service's next deploy waits for its
     * previous one: a worker takes the first waiting deploy whose service is free.
     */
    private static List<Done> run(DeployClient deploys, Finisher finisher, List<Planned> planned, int parallel,
                                  long started) throws InterruptedException {
        Deque<Planned> waiting = new ArrayDeque<>(planned);
        Set<String> busy = new HashSet<>();
        List<Done> done = new CopyOnWriteArrayList<>();
        long deadline = started + DEADLINE.toNanos();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < Math.min(parallel, planned.size()); w++) {
            Thread worker = new Thread(() -> {
                while (true) {
                    Planned next;
                    synchronized (waiting) {
                        next = null;
                        while (next == null) {
                            if (waiting.isEmpty() || System.nanoTime() > deadline) {
                                return;
                            }
                            for (Iterator<Planned> it = waiting.iterator(); it.hasNext(); ) {
                                Planned candidate = it.next();
                                if (!busy.contains(candidate.service())) {
                                    it.remove();
                                    busy.add(candidate.service());
                                    next = candidate;
                                    break;
                                }
                            }
                            if (next == null) {
                                try {
                                    waiting.wait(1000);
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        }
                    }
                    try {
                        done.add(deploy(deploys, finisher, next));
                    } catch (RuntimeException | AssertionError e) {
                        done.add(new Done(next, null, null, e.toString(), 0, System.nanoTime(), System.nanoTime()));
                    } finally {
                        synchronized (waiting) {
                            busy.remove(next.service());
                            waiting.notifyAll();
                        }
                    }
                }
            }, "day-" + w);
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            worker.join();
        }
        List<Done> sorted = new ArrayList<>(done);
        sorted.sort(Comparator.comparingInt(d -> d.planned().index()));
        return sorted;
    }

    /** Uploads the deploy's artifact, starts the deploy, waits for its end; never throws for a failed deploy. */
    private static Done deploy(DeployClient deploys, Finisher finisher, Planned planned) {
        long uploadStart = System.nanoTime();
        String digest = deploys.uploadStatic(planned.page());
        long start = System.nanoTime();
        Api.Reply reply = deploys.deploy(planned.service(), digest, ENVIRONMENT,
                planned.canary() ? ", \"strategy\": \"canary\"" : ", \"strategy\": \"rolling\"");
        if (reply.status() != 201) {
            return new Done(planned, null, null, "POST /api/deploys answered " + reply.status() + ": " + reply.body(),
                    start - uploadStart, start, System.nanoTime());
        }
        String id = reply.json().get("deploy_id").asText();
        long deadline = start + DEPLOY_TIMEOUT.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            boolean finished = left > 0 && finisher.awaitEnd(id, left);
            long seen = System.nanoTime();
            JsonNode deploy = deploys.get(id);
            if (DONE_STATES.contains(deploy.get("status").asText())) {
                return new Done(planned, id, deploy, null, start - uploadStart, start, seen);
            }
            if (!finished || System.nanoTime() > deadline) {
                return new Done(planned, id, deploy, "not finished after " + DEPLOY_TIMEOUT.toSeconds() + " s: "
                        + describe(deploy), start - uploadStart, start, seen);
            }
        }
    }

    private static final Set<String> DONE_STATES = Set.of("succeeded", "failed", "rolled_back");

    /** One line for each deploy that did not succeed. */
    private static List<String> unsucceeded(List<Done> done) {
        return done.stream().filter(d -> !d.status().equals("succeeded"))
                .map(d -> "deploy " + d.planned().index() + " of " + d.planned().service() + " (" + d.id() + "): "
                        + (d.problem() == null ? describe(d.deploy()) : d.problem()))
                .toList();
    }

    private static String describe(JsonNode deploy) {
        if (deploy == null) {
            return "(no deploy)";
        }
        return deploy.get("status").asText() + " at step " + deploy.at("/step/index").asInt() + " ("
                + deploy.at("/step/description").asText("") + "), reason: " + deploy.path("reason").asText("-");
    }

    /**
     * Tells the workers when their deploys end, with one list request for all of them (four times a second) instead
     * of each polling its own deploy, whose live view asks the target for its instances every time.
     */
    private static final class Finisher implements AutoCloseable {
        private final DeployClient deploys;
        private final Map<String, Long> registered = new ConcurrentHashMap<>();
        private final Map<String, CompletableFuture<Void>> ends = new ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean running = true;

        Finisher(DeployClient deploys) {
            this.deploys = deploys;
            this.thread = new Thread(this::poll, "day-finisher");
            thread.setDaemon(true);
            thread.start();
        }

        /** True once the deploy left the active states (seen by a list that was asked after it was created). */
        boolean awaitEnd(String id, long timeoutNanos) {
            CompletableFuture<Void> end = ends.computeIfAbsent(id, key -> new CompletableFuture<>());
            registered.putIfAbsent(id, System.nanoTime());
            try {
                end.get(timeoutNanos, TimeUnit.NANOSECONDS);
                return true;
            } catch (TimeoutException e) {
                return false;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                ends.remove(id, end);
                registered.remove(id);
            }
        }

        private void poll() {
            while (running) {
                try {
                    Thread.sleep(250);
                    long asked = System.nanoTime();
                    Api.Reply reply = deploys.api().get("/api/deploys?environment=" + ENVIRONMENT + "&status=" + ACTIVE
                            + "&limit=200", DeployClient.ADMIN);
                    if (reply.status() != 200) {
                        continue;
                    }
                    Set<String> active = new HashSet<>();
                    reply.json().get("deploys").forEach(deploy -> active.add(deploy.get("deploy_id").asText()));
                    registered.forEach((id, since) -> {
                        if (since < asked && !active.contains(id)) {
                            CompletableFuture<Void> end = ends.get(id);
                            if (end != null) {
                                end.complete(null);
                            }
                        }
                    });
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // the next look tries again; a deploy that never ends is caught by its worker's timeout
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join(5000);
        }
    }

    // ---------------------------------------------------------------- figures

    private static void report(double setupSeconds, List<Done> done, long dayStart, long dayEnd, Usage before, Usage after,
                               Sampler sampler, Sizes empty, Sizes atStart, Sizes atEnd, List<DeployClient.Hit> hits,
                               String loadBefore, String loadAfter, GantryProcess server) {
        double wall = (dayEnd - dayStart) / 1e9;
        long canaries = done.stream().filter(d -> d.planned().canary()).count();
        long succeeded = done.stream().filter(d -> d.status().equals("succeeded")).count();
        long stuck = done.stream().filter(d -> d.deploy() != null && !DONE_STATES.contains(d.status())).count();
        line("scale: %d services, %d deploys (%d canary, %d rolling), %d at a time; traffic: one client, the routers in "
                        + "turn, %d ms between an answer and the next request", SERVICES, done.size(), canaries,
                done.size() - canaries, PARALLEL, 1000 / Math.max(1, RPS));
        line("machine: %d cores, %s RAM; load average before: %s, after: %s", Runtime.getRuntime().availableProcessors(),
                memTotal(), loadBefore, loadAfter);
        line("first deploys (each starts its service's router and instance): %d in %.1f s, %d at a time", SERVICES,
                setupSeconds, SETUP_PARALLEL);
        line("wall time: %.1f s for %d deploys: %.1f deploys/minute", wall, done.size(), done.size() / wall * 60);
        line("errors: %d of %d deploys not succeeded (%d stuck); requests through the routers: %d (%.1f a second), "
                        + "not answered 200: %d", done.size() - succeeded, done.size(), stuck, hits.size(), hits.size() / wall,
                hits.stream().filter(h -> h.status() != 200).count());
        for (boolean canary : new boolean[] {false, true}) {
            List<Done> kind = done.stream().filter(d -> d.planned().canary() == canary && d.deploy() != null
                    && d.deploy().hasNonNull("finished_at")).toList();
            if (kind.isEmpty()) {
                continue;
            }
            List<Double> durations = kind.stream().map(d -> millisBetween(d.deploy().get("created_at"),
                    d.deploy().get("finished_at"))).sorted().toList();
            line("%s deploy, created to finished (server's clock): p50 %.0f ms, p90 %.0f ms, max %.0f ms (%d deploys)",
                    canary ? "canary" : "rolling", percentile(durations, 50), percentile(durations, 90),
                    durations.get(durations.size() - 1), kind.size());
            line("%s deploy, where the time goes (mean ms a deploy, each step until its transition): %s",
                    canary ? "canary" : "rolling", steps(kind));
        }
        List<Double> uploads = done.stream().map(d -> d.uploadNanos() / 1e6).sorted().toList();
        List<Double> seen = done.stream().filter(d -> d.deploy() != null)
                .map(d -> (d.seenDoneNanos() - d.startNanos()) / 1e6).sorted().toList();
        line("client: artifact upload p50 %.0f ms, max %.0f ms; POST to end seen by the client p50 %.0f ms, p90 %.0f ms",
                percentile(uploads, 50), uploads.get(uploads.size() - 1), percentile(seen, 50), percentile(seen, 90));
        line("deploys/minute by tenth of the day: %s", tenths(done, dayStart, dayEnd));

        double cores = Runtime.getRuntime().availableProcessors();
        Usage used = after.minus(before);
        line("CPU during the day: server JVM %.1f s, its PostgreSQL %.1f s, routers %.1f s, instances %.1f s, "
                        + "this test's JVM (uploads, polling, traffic) %.1f s, other processes %.1f s; the machine was busy "
                        + "%.1f of %.1f core-seconds", secs(used.server()), secs(used.postgres()), secs(used.routers()),
                secs(used.instances()), secs(used.test()), secs(used.other()), secs(used.busy()), wall * cores);
        line("CPU a deploy: server JVM %.0f ms, PostgreSQL %.0f ms", secs(used.server()) * 1000 / done.size(),
                secs(used.postgres()) * 1000 / done.size());
        line("server JVM's CPU by thread (digits made N): %s", used.busiestThreads(10));
        Targets targets = Targets.of(atEnd.dataDir());
        line("memory: server JVM peak RSS (VmHWM) %s, RSS at the end %s; PostgreSQL (%d processes) peak summed RSS %s, "
                        + "peak summed PSS %s", mib(ProcFs.statusKib(server.process().pid(), "VmHWM")),
                mib(ProcFs.residentKib(server.process().pid())), server.processes().size() - 1, mib(sampler.postgresRssPeak),
                mib(sampler.postgresPssPeak));
        line("memory: %d routers, RSS %s in all (%s each on average, peak of the sum %s); %d instances, RSS %s in all",
                targets.routers().size(), mib(targets.rssKib(targets.routers())),
                mib(targets.routers().isEmpty() ? 0 : targets.rssKib(targets.routers()) / targets.routers().size()),
                mib(sampler.routersRssPeak), targets.instances().size(), mib(targets.rssKib(targets.instances())));
        line("database (pg_database_size): empty server %s, after the first deploys %s, after the day %s: +%s, %s a deploy",
                mib(empty.databaseBytes() / 1024), mib(atStart.databaseBytes() / 1024), mib(atEnd.databaseBytes() / 1024),
                mib((atEnd.databaseBytes() - atStart.databaseBytes()) / 1024),
                kib((atEnd.databaseBytes() - atStart.databaseBytes()) / 1024 / Math.max(1, done.size())));
        line("database growth by table: %s", growth(atStart.tableBytes(), atEnd.tableBytes()));
        line("data directory besides the database (du): %s", growth(atStart.directories(), atEnd.directories()));
    }

    private static void line(String format, Object... args) {
        System.out.println("day " + String.format(Locale.ROOT, format, args));
    }

    private static double secs(long ticks) {
        return ticks / ProcFs.TICKS_PER_SECOND;
    }

    private static String mib(long kib) {
        return String.format(Locale.ROOT, "%.0f MiB", kib / 1024.0);
    }

    private static String kib(long kib) {
        return String.format(Locale.ROOT, "%d KiB", kib);
    }

    private static String memTotal() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> String.format(Locale.ROOT, "%.0f GiB", Long.parseLong(l.replaceAll("\\D+", "")) / 1048576.0))
                    .findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static double millisBetween(JsonNode from, JsonNode to) {
        return Duration.between(Instant.parse(from.asText()), Instant.parse(to.asText())).toNanos() / 1e6;
    }

    private static double percentile(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, Math.max(0, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)));
    }

    /** Mean time per deploy before each kind of transition (the step it ends), in plan order of first appearance. */
    private static String steps(List<Done> deploys) {
        Map<String, Double> total = new LinkedHashMap<>();
        for (Done done : deploys) {
            Instant previous = null;
            for (JsonNode transition : done.deploy().get("transitions")) {
                Instant at = Instant.parse(transition.get("at").asText());
                if (previous != null) {
                    total.merge(transition.get("action").asText(), Duration.between(previous, at).toNanos() / 1e6, Double::sum);
                }
                previous = at;
            }
        }
        return total.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue() / deploys.size()))
                .collect(Collectors.joining(", "));
    }

    private static String tenths(List<Done> done, long dayStart, long dayEnd) {
        long slice = Math.max(1, (dayEnd - dayStart) / 10);
        int[] counts = new int[10];
        done.forEach(d -> counts[(int) Math.min(9, Math.max(0, (d.seenDoneNanos() - dayStart) / slice))]++);
        StringBuilder out = new StringBuilder();
        for (int count : counts) {
            out.append(out.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.0f", count * 60e9 / slice));
        }
        return out.toString();
    }

    /** The biggest growths, largest first, e.g. {@code deploy_transitions +1.2 MiB (0.3 -> 1.5)}. */
    private static String growth(Map<String, Long> before, Map<String, Long> after) {
        return after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), new long[] {before.getOrDefault(e.getKey(), 0L), e.getValue()}))
                .filter(e -> e.getValue()[1] != e.getValue()[0])
                .sorted(Comparator.comparingLong(e -> e.getValue()[0] - e.getValue()[1]))
                .limit(6)
                .map(e -> String.format(Locale.ROOT, "%s +%.1f MiB (%.1f -> %.1f)", e.getKey(),
                        (e.getValue()[1] - e.getValue()[0]) / 1048576.0, e.getValue()[0] / 1048576.0, e.getValue()[1] / 1048576.0))
                .collect(Collectors.joining(", "));
    }

    // ---------------------------------------------------------------- what is measured, and how

    /** CPU time so far, in clock ticks, by whose it is. */
    private record Usage(long server, long postgres, long routers, long instances, long test, long busy,
                         Map<String, Long> serverThreads) {
        static Usage of(GantryProcess server, Path dataDir) {
            long serverPid = server.process().pid();
            long postgres = 0;
            List<ProcessHandle> processes = server.processes();
            for (ProcessHandle process : processes.subList(1, processes.size())) {
                // the postmaster with the backends that ended; the others by themselves
                postgres += process == processes.get(1) ? ProcFs.cpuTicksWithChildren(process.pid())
                        : ProcFs.cpuTicks(process.pid());
            }
            Targets targets = Targets.of(dataDir);
            long routers = targets.routers().stream().mapToLong(ProcFs::cpuTicksWithChildren).sum();
            // instances that were stopped count in the server's children: it started them, and its JVM waited for them
            long instances = targets.instances().stream().mapToLong(ProcFs::cpuTicksWithChildren).sum()
                    + ProcFs.exitedChildrenTicks(serverPid);
            return new Usage(ProcFs.cpuTicks(serverPid), postgres, routers, instances,
                    ProcFs.cpuTicks(ProcessHandle.current().pid()), ProcFs.busyTicks(), ProcFs.threadTicks(serverPid));
        }

        Usage minus(Usage earlier) {
            Map<String, Long> threads = new TreeMap<>();
            serverThreads.forEach((name, ticks) -> threads.put(name, ticks - earlier.serverThreads.getOrDefault(name, 0L)));
            return new Usage(server - earlier.server, postgres - earlier.postgres, routers - earlier.routers,
                    instances - earlier.instances, test - earlier.test, busy - earlier.busy, threads);
        }

        /** The server's threads that used the most CPU, and what threads that ended meanwhile used. */
        String busiestThreads(int count) {
            long named = serverThreads.values().stream().mapToLong(Long::longValue).sum();
            return serverThreads.entrySet().stream().filter(e -> e.getValue() > 0)
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(count)
                    .map(e -> String.format(Locale.ROOT, "%s %.1f s", e.getKey(), e.getValue() / ProcFs.TICKS_PER_SECOND))
                    .collect(Collectors.joining(", "))
                    + String.format(Locale.ROOT, "; threads that ended %.1f s", Math.max(0, server - named) / ProcFs.TICKS_PER_SECOND);
        }

        long other() {
            return busy - server - postgres - routers - instances - test;
        }
    }

    /** The routers and the service instances that run from this server's data directory, by pid. */
    private record Targets(List<Long> routers, List<Long> instances) {
        static Targets of(Path dataDir) {
            String marker = dataDir.toString();
            Map<Long, String> lines = new HashMap<>();
            Map<Long, Long> parents = new HashMap<>();
            ProcessHandle.allProcesses().forEach(process -> {
                String line = DeployClient.commandLine(process);
                if (line.contains(marker)) {
                    lines.put(process.pid(), line);
                    process.parent().ifPresent(parent -> parents.put(process.pid(), parent.pid()));
                }
            });
            List<Long> routers = new ArrayList<>();
            List<Long> instances = new ArrayList<>();
            lines.forEach((pid, line) -> {
                if (line.contains("dev.gantry.server.bootstrap.Main router")) {
                    routers.add(pid);
                } else if (line.contains("httpd") && !lines.getOrDefault(parents.getOrDefault(pid, 0L), "").contains("httpd")) {
                    // busybox httpd forks a child per connection: those are the instance's, not instances
                    instances.add(pid);
                }
            });
            return new Targets(routers, instances);
        }

        long rssKib(List<Long> pids) {
            return pids.stream().mapToLong(ProcFs::residentKib).sum();
        }
    }

    /** Peaks of resident memory, sampled every second. */
    private static final class Sampler implements AutoCloseable {
        private final GantryProcess server;
        private final Path dataDir;
        private final Thread thread;
        private volatile boolean running = true;
        private volatile boolean sampleTargets;
        volatile long postgresRssPeak;
        volatile long postgresPssPeak;
        volatile long routersRssPeak;

        Sampler(GantryProcess server, Path dataDir) {
            this.server = server;
            this.dataDir = dataDir;
            this.thread = new Thread(this::sample, "day-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void dayStarts() {
            sampleTargets = true;
        }

        void dayEnds() {
            sampleTargets = false;
        }

        private void sample() {
            while (running) {
                List<ProcessHandle> processes = server.processes();
                long rss = 0;
                long pss = 0;
                for (ProcessHandle process : processes.subList(1, processes.size())) {
                    rss += ProcFs.residentKib(process.pid());
                    pss += ProcFs.pssKib(process.pid());
                }
                postgresRssPeak = Math.max(postgresRssPeak, rss);
                postgresPssPeak = Math.max(postgresPssPeak, pss);
                if (sampleTargets) {
                    Targets targets = Targets.of(dataDir);
                    routersRssPeak = Math.max(routersRssPeak, targets.rssKib(targets.routers()));
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join(5000);
        }
    }

    /** The database's size and its tables', and the data directory's other parts (du), at one moment. */
    private record Sizes(Path dataDir, long databaseBytes, Map<String, Long> tableBytes, Map<String, Long> directories) {
        static Sizes of(GantryProcess server, Path dataDir) {
            try (Connection connection = DriverManager.getConnection(jdbcUrl(dataDir), "postgres", "")) {
                long database;
                try (PreparedStatement query = connection.prepareStatement("select pg_database_size(current_database())");
                     ResultSet row = query.executeQuery()) {
                    row.next();
                    database = row.getLong(1);
                }
                Map<String, Long> tables = new TreeMap<>();
                try (PreparedStatement query = connection.prepareStatement("""
                        select n.nspname, c.relname, pg_total_relation_size(c.oid) from pg_class c
                        join pg_namespace n on n.oid = c.relnamespace
                        where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')
                          and n.nspname not like 'pg_toast%'""");
                     ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        String schema = rows.getString(1);
                        tables.put((schema.equals("public") ? "" : schema + ".") + rows.getString(2), rows.getLong(3));
                    }
                }
                return new Sizes(dataDir, database, tables, du(dataDir));
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read the embedded database's size: " + e.getMessage(), e);
            }
        }

        /** The embedded PostgreSQL's port is the fourth line of its postmaster.pid, as scripts/bench-builds reads it. */
        private static String jdbcUrl(Path dataDir) {
            try {
                String port = Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(3).trim();
                return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Disk use of the data directory's parts (the database aside), in bytes, two levels deep. */
        private static Map<String, Long> du(Path dataDir) {
            Map<String, Long> sizes = new TreeMap<>();
            try {
                List<String> command = new ArrayList<>(List.of("du", "-s", "-B1"));
                try (var top = Files.list(dataDir)) {
                    for (Path part : top.sorted().toList()) {
                        String name = part.getFileName().toString();
                        if (name.startsWith("postgres") || !Files.isDirectory(part)) {
                            continue;
                        }
                        if (name.equals("plugin-data")) {
                            try (var plugins = Files.list(part)) {
                                plugins.sorted().forEach(plugin -> command.add(plugin.toString()));
                            }
                        } else {
                            command.add(part.toString());
                        }
                    }
                }
                if (command.size() == 3) {
                    return sizes;
                }
                Process du = new ProcessBuilder(command).redirectErrorStream(true).start();
                String output = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                du.waitFor(60, TimeUnit.SECONDS);
                for (String line : output.split("\n")) {
                    String[] fields = line.split("\t", 2);
                    if (fields.length == 2 && fields[0].matches("\\d+")) {
                        sizes.put(dataDir.relativize(Path.of(fields[1])).toString(), Long.parseLong(fields[0]));
                    }
                }
                return sizes;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    // ---------------------------------------------------------------- set-up

    private static boolean busyboxOnPath() {
        return List.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")).stream()
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "busybox")));
    }

    /**
     * A free port for each service's router, above the kernel's range for outgoing connections' local ports (and so
     * above the process deployer's instance ports, below it): routers start one by one, and until each does, no
     * connection or instance may take its port.
     */
    private static Map<String, Integer> routerPorts(List<String> services) throws IOException {
        // line by line: a whole-file read of this sysctl returns only its first byte
        String[] range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim()
                .split("\\s+");
        int first = Integer.parseInt(range[1]) + 1;
        int room = 65_535 - first - 2 * services.size();
        assertThat(room).as("ports above the ephemeral range %s for %d routers", List.of(range), services.size())
                .isPositive();
        // another run of this test on the machine most likely starts elsewhere
        int port = first + (int) (ProcessHandle.current().pid() % room);
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String service : services) {
            while (port <= 65_535 && !free(port)) {
                port++;
            }
            assertThat(port).as("a free port for the router of %s", service).isLessThanOrEqualTo(65_535);
            ports.put(service, port++);
        }
        return ports;
    }

    private static boolean free(int port) throws IOException {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("0.0.0.0"))) {
            return true;
        } catch (BindException e) {
            return false;
        }
    }
}
