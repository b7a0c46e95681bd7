package dev.gantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import dev.gantry.server.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server replicas share one PostgreSQL that runs outside both of them (in the test JVM). Canary deploys to two
 * environments are started, and the replica driving them is killed with SIGKILL mid-canary, {@code gantry.failovers}
 * times (2 here; scripts/bench-failover runs more), a fresh replica joining after each kill so that two run again.
 * The other replica must take every deploy of the dead one over and finish it, no plan step may be recorded twice,
 * traffic through the routers must never fail, and the surviving replica must answer every API call meanwhile. The
 * time from the kill to the survivor's takeover is printed for each deploy taken over.
 */
class ReplicaFailoverIT {
    private static final Duration READY_WITHIN = Duration.ofSeconds(120);
    private static final Duration DEPLOY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration TAKEOVER_TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> ENVIRONMENTS = List.of("production", "staging");
    private static final String USER = "gantry_replicas";
    private static final String PASSWORD = "replica-failover-secret";

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void anotherReplicaFinishesTheDeploysOfAReplicaKilledMidCanary(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path workDir)
            throws Exception {
        int failovers = Integer.getInteger("gantry.failovers", 2);
        Random random = new Random(Long.getLong("gantry.seed", 42));
        String databaseUrl = gantryDatabase();
        Map<String, String> settings = Map.of(
                "GANTRY_DATABASE_URL", databaseUrl,
                "GANTRY_DATABASE_USER", USER,
                "GANTRY_DATABASE_PASSWORD", PASSWORD,
                "GANTRY_MASTER_KEY", Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32)));
        // what replicas on one machine share besides the database: the artifact bytes and the targets' state
        Path config = workDir.resolve("gantry.properties");
        Files.writeString(config, String.join("\n",
                "plugin.artifact-store-fs.path=" + workDir.resolve("shared/artifacts"),
                "plugin.deployer-process.state-dir=" + workDir.resolve("shared/deployer-process"), ""));
        Map<String, Integer> routerPorts = new LinkedHashMap<>();
        ENVIRONMENTS.forEach(environment -> routerPorts.put(environment, GantryProcess.freePort()));

        List<ServerReplica> replicas = new ArrayList<>();
        List<GantryProcess> started = new ArrayList<>();
        List<Long> failoverMillis = new ArrayList<>();
        List<Long> takeoverMillis = new ArrayList<>();
        int deploys = 0;
        try (Connection db = DriverManager.getConnection(databaseUrl, "postgres", "");
             DeployClient.Traffic production = new DeployClient.Traffic(routerPorts.get("production"));
             DeployClient.Traffic staging = new DeployClient.Traffic(routerPorts.get("staging"));
             ApiProbe probe = new ApiProbe()) {
            Launcher launcher = new Launcher(workDir, settings, config, db, started);
            replicas.add(launcher.start());
            replicas.add(launcher.start());

            DeployClient setup = replicas.get(0).client();
            for (String environment : ENVIRONMENTS) {
                setup.environment(environment, routerPorts.get(environment), ", \"health_timeout\": \"30s\", \"bake\": \"1s\"");
            }
            setup.service("""
                    {"service": "hello", "instances": 2, "strategy": {"type": "canary", "steps": [{"weight": 10, "hold": "2s"},
                     {"weight": 50, "hold": "2s"}, {"weight": 100}]}}""");
            List<String> digests = new ArrayList<>();
            for (int i = 0; i <= failovers; i++) {
                digests.add(setup.upload(workDir, "v" + i, Map.of()));
            }
            for (String environment : ENVIRONMENTS) {
                String first = setup.start("hello", digests.get(0), environment);
                JsonNode done = setup.await(first, DEPLOY_TIMEOUT, "succeeded", "failed", "rolled_back");
                assertThat(done.get("status").asText()).as(done.toPrettyString()).isEqualTo("succeeded");
                deploys++;
            }
            long serving = System.nanoTime();

            for (int round = 1; round <= failovers; round++) {
                ServerReplica starter = replicas.get(0);
                List<String> ids = new ArrayList<>();
                for (String environment : ENVIRONMENTS) {
                    ids.add(starter.client().start("hello", digests.get(round), environment));
                }
                deploys += ids.size();
                // mid-canary: once the first deploy has split the traffic, at a random moment of its canary
                awaitAction(starter.client(), ids.get(0), "weights");
                Thread.sleep(random.nextInt(2500));
                Map<String, String> drivers = new LinkedHashMap<>();
                for (String id : ids) {
                    drivers.put(id, driver(db, id).orElseThrow(() -> new AssertionError(
                            "deploy " + id + " has no driver: " + starter.client().get(id).toPrettyString())));
                }
                String aimed = drivers.get(ids.get(0));
                ServerReplica victim = replicas.stream().filter(r -> r.id().equals(aimed)).findFirst()
                        .orElseThrow(() -> new AssertionError("deploy " + ids.get(0) + " is driven by " + aimed
                                + ", none of the running replicas " + replicas));
                ServerReplica survivor = replicas.stream().filter(r -> r != victim).findFirst().orElseThrow();
                probe.watch(survivor.process().url());

                Instant killedAt = Instant.now();
                victim.process().process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                victim.process().close();
                replicas.remove(victim);

                DeployClient client = survivor.client();
                for (String id : ids) {
                    if (!drivers.get(id).equals(victim.id())) {
                        continue; // the survivor drove it all along
                    }
                    Instant takenOver = awaitTakeover(client, id, killedAt);
                    Instant moved = awaitMoving(client, id, takenOver);
                    long millis = Duration.between(killedAt, moved).toMillis();
                    failoverMillis.add(millis);
                    takeoverMillis.add(Duration.between(killedAt, takenOver).toMillis());
                    System.out.printf("replica failover: deploy %s resumed by %s %d ms after the kill of %s"
                                    + " (lease taken over after %d ms)%n", id, survivor, millis, victim,
                            Duration.between(killedAt, takenOver).toMillis());
                }
                for (String id : ids) {
                    JsonNode done = client.await(id, DEPLOY_TIMEOUT, "succeeded", "failed", "rolled_back");
                    assertThat(done.get("status").asText()).as(done.toPrettyString()).isEqualTo("succeeded");
                    DeployRecoveryIT.assertNoStepTwice(done);
                    // a lease changes hands only when its holder died, and then to the replica that is left
                    List<JsonNode> takeovers = new ArrayList<>();
                    done.get("transitions").forEach(t -> {
                        if (t.get("action").asText().equals("takeover")) {
                            takeovers.add(t);
                        }
                    });
                    assertThat(takeovers).as("takeovers of %s", done.toPrettyString())
                            .hasSize(drivers.get(id).equals(victim.id()) ? 1 : 0)
                            .allSatisfy(t -> assertThat(t.get("reason").asText())
                                    .contains("driven by " + survivor.id()).contains(victim.id()));
                }
                probe.watch(null);
                assertThat(probe.failures()).as("API calls to %s that failed while %s was killed", survivor, victim)
                        .isEmpty();
                assertThat(production.since(serving)).as("production traffic").allMatch(hit -> hit.status() == 200);
                assertThat(staging.since(serving)).as("staging traffic").allMatch(hit -> hit.status() == 200);

                replicas.add(launcher.start()); // a replacement, so that two replicas run again
            }
            Thread.sleep(300);
            for (DeployClient.Traffic traffic : List.of(production, staging)) {
                assertThat(traffic.since(System.nanoTime() - 200_000_000L)).isNotEmpty()
                        .allMatch(hit -> hit.body().equals("hello from v" + failovers));
                assertThat(traffic.since(serving)).as("every request through the routers was answered")
                        .allMatch(hit -> hit.status() == 200);
            }
            assertThat(failoverMillis).as("deploys taken over: at least the one each kill aimed at")
                    .hasSizeGreaterThanOrEqualTo(failovers);
            System.out.printf("replica failover: %d kills, %d deploys, 0 lost, 0 steps doubled, %d API calls to survivors all "
                            + "answered; kill -> deploy moving again (ms): %s, all %s; kill -> lease taken over (ms): %s%n",
                    failovers, deploys, probe.answered(), summary(failoverMillis), failoverMillis, summary(takeoverMillis));
        } finally {
            started.forEach(GantryProcess::close);
            DeployClient.killTargets(workDir);
        }
    }

    /** A database and a user (not a superuser, allowed to create plugins' roles) for Gantry in the test JVM's PostgreSQL. */
    private static String gantryDatabase() throws SQLException {
        String url = TestPostgres.newDatabase();
        String name = url.substring(url.lastIndexOf('/') + 1);
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
             Statement statement = connection.createStatement()) {
            statement.execute("create role " + USER + " login createrole password '" + PASSWORD + "'");
            statement.execute("alter database " + name + " owner to " + USER);
        }
        return url;
    }

    /** One running server: its process and its replica id (the PostgreSQL application_name of its connections). */
    private record ServerReplica(String name, GantryProcess process, String id) {
        DeployClient client() {
            return new DeployClient(new Api(process.url()));
        }

        @Override
        public String toString() {
            return name + " (" + id + ")";
        }
    }

    /** Starts replicas one at a time, each in a directory of its own, and learns each one's id as it appears. */
    private static final class Launcher {
        private final Path workDir;
        private final Map<String, String> settings;
        private final Path config;
        private final Connection db;
        private final List<GantryProcess> started;

        Launcher(Path workDir, Map<String, String> settings, Path config, Connection db, List<GantryProcess> started) {
            this.workDir = workDir;
            this.settings = settings;
            this.config = config;
            this.db = db;
            this.started = started;
        }

        ServerReplica start() throws Exception {
            String name = "replica-" + (started.size() + 1);
            Path dir = Files.createDirectories(workDir.resolve(name));
            Set<String> before = replicaIds(db);
            GantryProcess process = GantryProcess.start(dir, settings, List.of("--config", config.toString()));
            started.add(process);
            process.awaitReady(READY_WITHIN);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                Set<String> appeared = replicaIds(db);
                appeared.removeAll(before);
                if (appeared.size() == 1) {
                    return new ServerReplica(name, process, appeared.iterator().next());
                }
                assertThat(System.nanoTime()).as("one new replica id in pg_stat_activity after %s started: %s", name,
                        appeared).isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }

    private static Set<String> replicaIds(Connection db) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Statement statement = db.createStatement();
             ResultSet rows = statement.executeQuery(
                     "select distinct application_name from pg_stat_activity where application_name like 'gantry/%'")) {
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
        }
        return ids;
    }

    private static Optional<String> driver(Connection db, String deployId) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("select driver from deploys where id = ?")) {
            query.setString(1, deployId);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.ofNullable(row.getString(1)) : Optional.empty();
            }
        }
    }

    private static void awaitAction(DeployClient client, String id, String action) throws InterruptedException {
        long deadline = System.nanoTime() + DEPLOY_TIMEOUT.toNanos();
        while (true) {
            JsonNode deploy = client.get(id);
            for (JsonNode transition : deploy.get("transitions")) {
                if (transition.get("action").asText().equals(action)) {
                    return;
                }
            }
            assertThat(System.nanoTime()).as("deploy %s reached '%s': %s", id, action, deploy.toPrettyString())
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** When the survivor recorded taking the deploy over, polled through its API (by the database's clock: the machine's). */
    private static Instant awaitTakeover(DeployClient client, String id, Instant killedAt) throws InterruptedException {
        long deadline = System.nanoTime() + TAKEOVER_TIMEOUT.toNanos();
        while (true) {
            JsonNode deploy = client.get(id);
            for (JsonNode transition : deploy.get("transitions")) {
                Instant at = Instant.parse(transition.get("at").asText());
                if (transition.get("action").asText().equals("takeover") && !at.isBefore(killedAt)) {
                    return at;
                }
            }
            assertThat(System.nanoTime()).as("deploy %s taken over after its driver was killed: %s", id,
                    deploy.toPrettyString()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /**
     * When the deploy moved again after the takeover: the survivor recorded a step, or (in a hold, where steps take
     * seconds) looked at the health gate, whose time the deploy shows as {@code health.*.checked_at}.
     */
    private static Instant awaitMoving(DeployClient client, String id, Instant takenOver) throws InterruptedException {
        long deadline = System.nanoTime() + TAKEOVER_TIMEOUT.toNanos();
        while (true) {
            JsonNode deploy = client.get(id);
            Optional<Instant> moved = Optional.empty();
            for (JsonNode transition : deploy.get("transitions")) {
                Instant at = Instant.parse(transition.get("at").asText());
                if (at.isAfter(takenOver) && !transition.get("action").asText().equals("takeover")) {
                    moved = Optional.of(at);
                    break;
                }
            }
            for (JsonNode target : deploy.path("health")) {
                Instant checked = Instant.parse(target.path("checked_at").asText("1970-01-01T00:00:00Z"));
                if (checked.isAfter(takenOver) && moved.map(checked::isBefore).orElse(true)) {
                    moved = Optional.of(checked);
                }
            }
            if (moved.isPresent()) {
                return moved.get();
            }
            assertThat(System.nanoTime()).as("deploy %s moving after it was taken over: %s", id, deploy.toPrettyString())
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static String summary(List<Long> millis) {
        List<Long> sorted = millis.stream().sorted().toList();
        return "p50 " + sorted.get((sorted.size() - 1) / 2) + ", max " + sorted.get(sorted.size() - 1);
    }

    /** Calls the API of the replica being watched without pause, recording every call that did not answer 200. */
    private static final class ApiProbe implements AutoCloseable {
        private final List<String> failures = new CopyOnWriteArrayList<>();
        private final AtomicLong answered = new AtomicLong();
        private final Thread thread;
        private volatile Api watched;
        private volatile boolean running = true;

        ApiProbe() {
            thread = new Thread(() -> {
                while (running) {
                    Api api = watched;
                    if (api != null) {
                        try {
                            Api.Reply reply = api.get("/api/deploys?limit=5", DeployClient.ADMIN);
                            if (reply.status() == 200) {
                                answered.incrementAndGet();
                            } else {
                                failures.add(reply.status() + " " + reply.body());
                            }
                        } catch (RuntimeException e) {
                            failures.add(e.toString());
                        }
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "api-probe");
            thread.setDaemon(true);
            thread.start();
        }

        void watch(java.net.URI url) {
            watched = url == null ? null : new Api(url);
        }

        List<String> failures() {
            return List.copyOf(failures);
        }

        long answered() {
            return answered.get();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }
}
