package dev.gantry.server.deploy;

import dev.gantry.plugin.api.deploy.DeployerException;
import dev.gantry.plugin.api.deploy.InstanceStatus;
import dev.gantry.plugin.api.deploy.StaleFenceException;
import dev.gantry.plugin.api.deploy.VersionSpec;
import dev.gantry.plugin.api.metrics.MetricsQuery;
import dev.gantry.plugin.api.metrics.MetricsSource;
import dev.gantry.plugin.api.metrics.Sample;
import dev.gantry.plugin.api.notify.Notification;
import dev.gantry.server.http.Json;
import dev.gantry.server.notify.NotificationService;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.persistence.DatabaseUnavailableException;
import dev.gantry.server.persistence.Notifications;
import dev.gantry.server.persistence.Replica;
import jakarta.inject.Inject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives deploys. A replica claims each active deploy whose driver is gone (its lease expired, or its replica's
 * connections vanished from {@code pg_stat_activity}) with a fresh fencing token, then runs its plan step by step:
 * each step's action is done, then its completion is committed; a crash between the two replays an idempotent action.
 */
public class DeployController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeployController.class);
    /** Consecutive failed health looks at a hold before the gate fails: one slow health check is not an outage. */
    private static final int UNHEALTHY_LOOKS = 3;
    /** Unexpected failures of one step before the deploy fails with the error. */
    private static final int STEP_ATTEMPTS = 5;

    private final Database database;
    private final DeployStore store;
    private final DeployCatalog catalog;
    private final DeployTargets targets;
    private final Notifications feed;
    private final NotificationService notifier;
    private final Replica replica;
    private final DeployConfig config;
    private final AutoDeploy autoDeploy;
    private final Trains trains;
    private final DeployService deploys;
    private final CanaryJudge judge;
    private final Map<String, Driver> drivers = new ConcurrentHashMap<>();
    private final ExecutorService driverThreads = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "deploy-driver");
        thread.setDaemon(true);
        return thread;
    });
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "deploy-leases");
        thread.setDaemon(true);
        return thread;
    });
    private final ExecutorService notifications = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "deploy-notifications");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean closed;

    @Inject
    public DeployController(Database database, DeployStore store, DeployCatalog catalog, DeployTargets targets,
                            Notifications feed, NotificationService notifier, Replica replica, DeployConfig config,
                            AutoDeploy autoDeploy, Trains trains, DeployService deploys, CanaryJudge judge) {
        this.deploys = deploys;
        this.judge = judge;
        this.autoDeploy = autoDeploy;
        this.trains = trains;
        this.database = database;
        this.store = store;
        this.catalog = catalog;
        this.targets = targets;
        this.feed = feed;
        this.notifier = notifier;
        this.replica = replica;
        this.config = config;
    }

    public synchronized void start() {
        feed.subscribe(DeployStore.CHANNEL, this::onChange);
        long renewMs = config.leaseTtl().toMillis() / 3;
        timers.scheduleWithFixedDelay(this::renewLeases, renewMs, renewMs, TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(this::claim, 0, 1, TimeUnit.SECONDS);
        // trains move on when a member's deploy ends; this catches an end whose hook was lost (a crash, a cancel)
        timers.scheduleWithFixedDelay(this::sweepTrains, 10, 10, TimeUnit.SECONDS);
    }

    private void onChange(String deployId) {
        if (deployId == null) {
            // the feed reconnected and may have missed changes: every driver looks again, and so does the claim
            drivers.values().forEach(Driver::wake);
            if (!closed) {
                timers.execute(this::claim);
            }
            return;
        }
        Driver driver = drivers.get(deployId);
        if (driver != null) {
            driver.wake();
        } else if (!closed) {
            timers.execute(this::claim);
        }
    }

    /** Takes every active deploy that nobody drives. */
    private void claim() {
        if (closed) {
            return;
        }
        try {
            Map<String, Long> claimed = database.inSqlTransaction(connection -> {
                Map<String, Long> leases = new LinkedHashMap<>();
                try (PreparedStatement update = connection.prepareStatement("""
                        with orphans as (
                            select id, driver as old_driver, fence as old_fence from deploys
                            where state in ('pending', 'awaiting_approval', 'in_progress', 'paused', 'rolling_back')
                              and (driver is null or driver_expires_at < now()
                                   or not exists (select 1 from pg_stat_activity a where a.application_name = deploys.driver))
                            order by created_at for update skip locked limit 50)
                        update deploys d set driver = ?, driver_expires_at = now() + make_interval(secs => ?),
                            fence = nextval('deploy_fence')
                        from orphans o where d.id = o.id
                        returning d.id, d.fence, o.old_driver, o.old_fence, d.state, d.step""")) {
                    update.setString(1, replica.id());
                    update.setDouble(2, config.leaseTtl().toMillis() / 1000.0);
                    List<String[]> resumed = new ArrayList<>();
                    try (ResultSet rows = update.executeQuery()) {
                        while (rows.next()) {
                            leases.put(rows.getString(1), rows.getLong(2));
                            if (rows.getLong(4) > 0) {
                                String previous = rows.getString(3);
                                resumed.add(new String[] {rows.getString(1), rows.getString(5), rows.getString(6),
                                        previous == null ? "the previous driver handed it back" : "its driver " + previous + " stopped"});
                            }
                        }
                    }
                    // the history shows every change of driver: who drives the deploy from here, and why
                    for (String[] deploy : resumed) {
                        store.transition(connection, deploy[0], deploy[1], deploy[1], Integer.parseInt(deploy[2]), "takeover",
                                "controller", "driven by " + replica.id() + " from here: " + deploy[3]);
                    }
                }
                return leases;
            });
            claimed.forEach((id, fence) -> {
                Driver driver = new Driver(id, fence);
                Driver previous = drivers.put(id, driver);
                if (previous != null) {
                    previous.stop();
                }
                log.info("Driving deploy {} (fence {})", id, fence);
                driverThreads.execute(driver);
            });
        } catch (DatabaseUnavailableException e) {
            log.debug("Cannot look for deploys to drive: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.warn("Looking for deploys to drive failed: {}", e.getMessage());
        }
    }

    private void sweepTrains() {
        try {
            trains.sweep();
        } catch (RuntimeException e) {
            log.debug("Looking at release trains failed: {}", e.getMessage());
        }
    }

    private void renewLeases() {
        if (drivers.isEmpty()) {
            return;
        }
        try {
            Set<String> held = database.inSqlTransaction(connection -> {
                Set<String> ids = new HashSet<>();
                try (PreparedStatement update = connection.prepareStatement("""
                        update deploys set driver_expires_at = now() + make_interval(secs => ?)
                        where driver = ? and id = any (?) returning id""")) {
                    update.setDouble(1, config.leaseTtl().toMillis() / 1000.0);
                    update.setString(2, replica.id());
                    update.setArray(3, connection.createArrayOf("text", drivers.keySet().toArray()));
                    try (ResultSet rows = update.executeQuery()) {
                        while (rows.next()) {
                            ids.add(rows.getString(1));
                        }
                    }
                }
                return ids;
            });
            drivers.forEach((id, driver) -> {
                if (!held.contains(id)) {
                    driver.stop();
                    drivers.remove(id, driver);
                }
            });
        } catch (RuntimeException e) {
            log.warn("Renewing deploy leases failed: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        timers.shutdownNow();
        drivers.values().forEach(Driver::stop);
        driverThreads.shutdownNow();
        notifications.shutdown();
        try {
            // hand the deploys over at once instead of after the lease runs out
            database.inSqlTransaction(connection -> {
                try (PreparedStatement release = connection.prepareStatement(
                        "update deploys set driver = null, driver_expires_at = null where driver = ?")) {
                    release.setString(1, replica.id());
                    return release.executeUpdate();
                }
            });
        } catch (RuntimeException e) {
            log.debug("Deploy leases not handed back: {}", e.getMessage());
        }
    }

    /** What one look at the current step found. */
    private sealed interface Outcome {
        record Done(Optional<String> weightsJson) implements Outcome {
        }

        record Wait(long millis) implements Outcome {
        }

        record Failed(String reason) implements Outcome {
        }

        /** A person decides: the deploy pauses where it is, traffic unchanged. */
        record Paused(String reason) implements Outcome {
        }
    }

    /** Runs one deploy's plan on this replica for as long as it holds the deploy's lease. */
    private final class Driver implements Runnable {
        private final String id;
        private final long fence;
        private final Object signal = new Object();
        private boolean signalled;
        private volatile boolean stopped;
        private final GateCounts gate = new GateCounts();
        private int errors;

        Driver(String id, long fence) {
            this.id = id;
            this.fence = fence;
        }

        void wake() {
            synchronized (signal) {
                signalled = true;
                signal.notifyAll();
            }
        }

        void stop() {
            stopped = true;
            wake();
        }

        private void sleep(long millis) throws InterruptedException {
            synchronized (signal) {
                if (!signalled && !stopped) {
                    signal.wait(Math.max(1, millis));
                }
                signalled = false;
            }
        }

        @Override
        public void run() {
            try {
                while (!stopped && !closed) {
                    try {
                        if (!step()) {
                            return;
                        }
                    } catch (StaleFenceException e) {
                        log.info("Deploy {}: another controller now drives its targets ({})", id, e.getMessage());
                        return;
                    } catch (DatabaseUnavailableException e) {
                        log.warn("Deploy {} waits for the database: {}", id, e.getMessage());
                        sleep(1000);
                    } catch (RuntimeException e) {
                        log.warn("Deploy {}: {}; trying again", id, e.getMessage(), e);
                        sleep(1000);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                drivers.remove(id, this);
            }
        }

        /** One look at the deploy: false when this driver is done with it. */
        private boolean step() throws InterruptedException {
            Optional<DeployRow> found = database.inSqlTransaction(connection -> store.find(connection, id, false));
            if (found.isEmpty()) {
                return false;
            }
            DeployRow deploy = found.get();
            if (deploy.terminal() || !deploy.driver().equals(Optional.of(replica.id())) || deploy.fence() != fence) {
                return false;
            }
            if (deploy.state().equals("paused")) {
                sleep(10_000);
                return true;
            }
            Optional<PlanStep> current = deploy.currentStep();
            if (current.isEmpty()) {
                // when an action won the race against the end (a rollback, an abort), drive what it left
                return !finish(deploy);
            }
            if (!deploy.state().equals("rolling_back")) {
                String wanted = current.get().kind() == PlanStep.Kind.APPROVAL ? "awaiting_approval" : "in_progress";
                if (!deploy.state().equals(wanted)) {
                    enter(deploy, wanted, current.get());
                    return true;
                }
            }
            EnvironmentSpec environment = database.inSqlTransaction(connection -> catalog.environment(connection, deploy.environment()))
                    .orElseThrow(() -> new DeployerException("the environment " + deploy.environment() + " was deleted"));
            Outcome outcome;
            try {
                outcome = execute(deploy, current.get(), environment);
                errors = 0;
            } catch (DeployerException e) {
                outcome = new Outcome.Failed(e.getMessage());
            } catch (StaleFenceException | DatabaseUnavailableException e) {
                throw e;
            } catch (RuntimeException e) {
                // unexpected (a plugin's bug, a network error): tried again a few times, then the deploy fails with it
                errors++;
                log.warn("Deploy {} step {} ({}) failed, attempt {} of {}: {}", id, deploy.step(), current.get().describe(),
                        errors, STEP_ATTEMPTS, e.toString());
                outcome = errors >= STEP_ATTEMPTS
                        ? new Outcome.Failed(current.get().describe() + " failed " + errors + " times: " + e.getMessage())
                        : new Outcome.Wait(1000);
            }
            if (outcome instanceof Outcome.Failed) {
                errors = 0;
            }
            if (outcome instanceof Outcome.Done done) {
                gate.reset();
                database.inSqlTransaction(connection -> store.advance(connection, deploy, done.weightsJson(), "controller"));
            } else if (outcome instanceof Outcome.Wait wait) {
                sleep(wait.millis());
            } else if (outcome instanceof Outcome.Failed failed) {
                fail(deploy, failed.reason());
            } else if (outcome instanceof Outcome.Paused paused) {
                pause(deploy, paused.reason());
            }
            return true;
        }

        private void enter(DeployRow deploy, String state, PlanStep step) {
            if (deploy.state().equals("pending") && deploy.step() == 0 && deploy.kind().equals("deploy")) {
                boolean replanned = database.inSqlTransaction(connection -> {
                    DeployService.Replanned fresh = deploys.replan(connection, deploy);
                    if (fresh.previous().equals(deploy.previousReleaseId())) {
                        return false;
                    }
                    store.replan(connection, deploy, fresh.previous(), fresh.plan());
                    store.transition(connection, deploy.id(), deploy.state(), deploy.state(), 0, "replan", "controller",
                            "the environment now runs " + fresh.previous().orElse("nothing") + "; the plan moves traffic from it");
                    return true;
                });
                if (replanned) {
                    return;
                }
            }
            boolean changed = database.inSqlTransaction(connection ->
                    store.changeState(connection, deploy, state, Optional.empty(), state.equals("awaiting_approval") ? "await_approval" : "start",
                            "controller", null, true));
            if (changed && state.equals("awaiting_approval")) {
                notify(deploy, "deploy.approval_waiting", "Approval waiting: " + deploy.service() + " to " + deploy.environment(),
                        "Deploy " + deploy.id() + " waits for " + step.required() + " approval(s) " + step.label() + ".");
            }
        }

        private Outcome execute(DeployRow deploy, PlanStep step, EnvironmentSpec environment) {
            List<DeployTargets.Bound> bound = targets.bind(environment, deploy, step.targets());
            switch (step.kind()) {
                case ENSURE -> {
                    VersionSpec version = database.inSqlTransaction(connection ->
                            targets.version(connection, step.version(), deploy.environment()));
                    for (DeployTargets.Bound target : bound) {
                        try {
                            target.deployer().ensureInstances(target.target(), version, step.instances());
                        } catch (DeployerException e) {
                            // a download refused because the store found the blob damaged says so in the store's words
                            throw targets.artifactProblem(version).map(problem -> new DeployerException(problem, e)).orElse(e);
                        }
                    }
                    return new Outcome.Done(Optional.empty());
                }
                case AWAIT_HEALTHY -> {
                    for (DeployTargets.Bound target : bound) {
                        long healthy = healthy(target, step.version());
                        if (healthy < step.instances()) {
                            if (deploy.msInStep() > environment.healthDeadline().toMillis()) {
                                return new Outcome.Failed("only " + healthy + " of " + step.instances() + " instance(s) of "
                                        + step.version() + " became healthy on " + target.target().target() + " within "
                                        + environment.healthDeadline().toSeconds() + " s");
                            }
                            return new Outcome.Wait(200);
                        }
                    }
                    return new Outcome.Done(Optional.empty());
                }
                case WEIGHTS -> {
                    Map<String, Map<String, Integer>> applied = new LinkedHashMap<>();
                    for (DeployTargets.Bound target : bound) {
                        target.deployer().setWeights(target.target(), step.weights());
                        applied.put(target.target().target(), step.weights());
                    }
                    return new Outcome.Done(Optional.of(Json.write(applied)));
                }
                case HOLD -> {
                    Optional<String> failure = checkGate(deploy, step, bound, environment);
                    if (failure.isPresent()) {
                        return new Outcome.Failed(failure.get());
                    }
                    if (deploy.promoteStep().equals(Optional.of(deploy.step()))) {
                        return new Outcome.Done(Optional.empty());
                    }
                    if (step.analysis() != null) {
                        CanaryJudge.Decision decision = judge.look(deploy, step, bound, environment);
                        if (decision instanceof CanaryJudge.Decision.Continue next) {
                            return new Outcome.Wait(Math.max(1, Math.min(next.millis(), config.gateInterval().toMillis())));
                        } else if (decision instanceof CanaryJudge.Decision.Promote promote) {
                            log.info("Deploy {}: {}", deploy.id(), promote.reason());
                            return new Outcome.Done(Optional.empty());
                        } else if (decision instanceof CanaryJudge.Decision.Rollback rollback) {
                            return new Outcome.Failed(rollback.reason());
                        }
                        return new Outcome.Paused(((CanaryJudge.Decision.Pause) decision).reason());
                    }
                    long left = step.durationMs() - deploy.msInStep();
                    if (left <= 0) {
                        return new Outcome.Done(Optional.empty());
                    }
                    return new Outcome.Wait(Math.min(left, config.gateInterval().toMillis()));
                }
                case APPROVAL -> {
                    Map<String, String> decisions = database.inSqlTransaction(connection ->
                            store.decisions(connection, deploy.id(), deploy.step()));
                    Optional<String> refusal = decisions.entrySet().stream().filter(entry -> entry.getValue().equals("rejected"))
                            .map(Map.Entry::getKey).findFirst();
                    if (refusal.isPresent()) {
                        return new Outcome.Failed("rejected by " + refusal.get());
                    }
                    long approvals = decisions.values().stream().filter("approved"::equals).count();
                    return approvals >= step.required() ? new Outcome.Done(Optional.empty()) : new Outcome.Wait(30_000);
                }
                case REMOVE -> {
                    for (DeployTargets.Bound target : bound) {
                        target.deployer().removeVersion(target.target(), step.version());
                    }
                    return new Outcome.Done(Optional.empty());
                }
                case REMOVE_OTHERS -> {
                    for (DeployTargets.Bound target : bound) {
                        Set<String> versions = new HashSet<>(target.deployer().weights(target.target()).keySet());
                        target.deployer().instances(target.target()).forEach(instance -> versions.add(instance.version()));
                        versions.remove(step.version());
                        for (String version : versions) {
                            target.deployer().removeVersion(target.target(), version);
                        }
                    }
                    return new Outcome.Done(Optional.empty());
                }
            }
            throw new IllegalStateException("unknown step " + step.kind());
        }

        private long healthy(DeployTargets.Bound target, String version) {
            return target.deployer().instances(target.target()).stream()
                    .filter(instance -> instance.version().equals(version) && instance.healthy()).count();
        }

        /**
         * The simple health gate: the new version's instances stay up, and its error rate since the step began stays
         * under the environment's ceiling once there are enough requests to tell.
         */
        private Optional<String> checkGate(DeployRow deploy, PlanStep step, List<DeployTargets.Bound> bound,
                                           EnvironmentSpec environment) {
            Instant to = deploy.now();
            Instant from = deploy.stepStartedAt().orElse(to);
            Map<String, Object> health = new LinkedHashMap<>();
            for (DeployTargets.Bound target : bound) {
                List<InstanceStatus> instances = target.deployer().instances(target.target()).stream()
                        .filter(instance -> instance.version().equals(step.version())).toList();
                long healthy = instances.stream().filter(InstanceStatus::healthy).count();
                String name = target.target().target();
                if (healthy < instances.size() || instances.isEmpty()) {
                    if (gate.unhealthy(name) >= UNHEALTHY_LOOKS) {
                        return Optional.of((instances.size() - healthy) + " of " + instances.size() + " instance(s) of "
                                + step.version() + " on " + name + " are not healthy");
                    }
                } else {
                    gate.healthy(name);
                }
                Map<String, Object> targetHealth = new LinkedHashMap<>();
                targetHealth.put("version", step.version());
                targetHealth.put("instances", instances.size());
                targetHealth.put("healthy_instances", healthy);
                Optional<MetricsSource> source = targets.routerMetrics(target);
                if (source.isPresent()) {
                    List<Sample> samples = source.get().samples(new MetricsQuery(target.target(), step.version(),
                            MetricsQuery.ERROR, gate.since(name, from), to));
                    gate.add(name, samples, to);
                    long requests = gate.requests(name);
                    long errors = gate.errors(name);
                    targetHealth.put("requests", requests);
                    targetHealth.put("errors", errors);
                    double rate = requests == 0 ? 0 : (double) errors / requests;
                    targetHealth.put("error_rate", rate);
                    if (requests >= environment.requestFloor() && rate > environment.errorCeiling()) {
                        return Optional.of(String.format(java.util.Locale.ROOT,
                                "error rate of %s on %s is %.1f%% (%d of %d requests), above the ceiling of %.1f%%",
                                step.version(), name, rate * 100, errors, requests, environment.errorCeiling() * 100));
                    }
                }
                targetHealth.put("checked_at", to.toString());
                health.put(name, targetHealth);
            }
            database.inSqlTransaction(connection -> {
                store.recordHealth(connection, deploy.id(), Json.write(health));
                return null;
            });
            return Optional.empty();
        }

        private void fail(DeployRow deploy, String reason) {
            log.warn("Deploy {} step {} failed: {}", deploy.id(), deploy.step(), reason);
            gate.reset();
            // a rollback deploy that fails has nothing further back to go to
            boolean rollingBack = deploy.state().equals("rolling_back") || deploy.kind().equals("rollback");
            boolean changed = database.inSqlTransaction(connection -> {
                if (rollingBack || !deploy.touchedTargets() && deploy.currentStep().map(PlanStep::kind)
                        .filter(kind -> kind == PlanStep.Kind.APPROVAL).isPresent()) {
                    return store.changeState(connection, deploy, "failed", Optional.empty(), "fail", "controller",
                            rollingBack ? "the rollback failed: " + reason : reason, true);
                }
                EnvironmentSpec environment = catalog.environment(connection, deploy.environment()).orElseThrow();
                int instances = catalog.service(connection, deploy.service()).orElseThrow().spec().instancesIn(deploy.environment());
                List<PlanStep> plan = DeployPlans.rollback(environment, instances, deploy.releaseId(), deploy.previousReleaseId());
                return store.changeState(connection, deploy, "rolling_back", Optional.of(plan), "rollback", "controller", reason, true);
            });
            if (changed) {
                notifications.execute(() -> trains.deployFinished(deploy.id()));
                notify(deploy, rollingBack ? "deploy.failed" : "deploy.rolling_back",
                        (rollingBack ? "Rollback failed: " : "Rolling back: ") + deploy.service() + " in " + deploy.environment(),
                        reason);
            }
        }

        private void pause(DeployRow deploy, String reason) {
            log.warn("Deploy {} step {} paused: {}", deploy.id(), deploy.step(), reason);
            boolean changed = database.inSqlTransaction(connection ->
                    store.changeState(connection, deploy, "paused", Optional.empty(), "pause", "controller", reason, true));
            if (changed) {
                notify(deploy, "deploy.paused", "Decision needed: " + deploy.service() + " in " + deploy.environment(), reason);
            }
        }

        private boolean finish(DeployRow deploy) {
            String end = deploy.state().equals("rolling_back") ? "rolled_back" : "succeeded";
            boolean changed = database.inSqlTransaction(connection ->
                    store.changeState(connection, deploy, end, Optional.empty(), "finish", "controller", null, true));
            if (changed) {
                log.info("Deploy {} of {} to {} {}", deploy.id(), deploy.service(), deploy.environment(), end);
                notify(deploy, "deploy." + end, (end.equals("succeeded") ? "Deployed: " : "Rolled back: ") + deploy.service()
                        + " in " + deploy.environment(), deploy.reason().orElse(deploy.artifactDigest()));
                if (end.equals("succeeded")) {
                    notifications.execute(() -> autoDeploy.deploySucceeded(deploy));
                }
                notifications.execute(() -> trains.deployFinished(deploy.id()));
            }
            return changed;
        }

        private void notify(DeployRow deploy, String event, String title, String text) {
            Notification notification = new Notification(event, title, text, "/deploys/" + deploy.id(),
                    Map.of("deploy_id", deploy.id(), "service", deploy.service(), "environment", deploy.environment(),
                            "artifact_sha", deploy.artifactDigest()), Instant.now());
            notifications.execute(() -> notifier.send(notification));
        }
    }

    /** Requests and errors counted so far in the current hold, per target, so each look reads only new samples. */
    private static final class GateCounts {
        private final Map<String, long[]> counts = new ConcurrentHashMap<>();
        private final Map<String, Instant> read = new ConcurrentHashMap<>();
        private final Map<String, Integer> unhealthy = new ConcurrentHashMap<>();

        Instant since(String target, Instant stepStart) {
            return read.getOrDefault(target, stepStart);
        }

        void add(String target, List<Sample> samples, Instant until) {
            long[] count = counts.computeIfAbsent(target, t -> new long[2]);
            for (Sample sample : samples) {
                count[0]++;
                if (sample.value() != 0) {
                    count[1]++;
                }
            }
            read.put(target, until);
        }

        long requests(String target) {
            return counts.getOrDefault(target, new long[2])[0];
        }

        long errors(String target) {
            return counts.getOrDefault(target, new long[2])[1];
        }

        int unhealthy(String target) {
            return unhealthy.merge(target, 1, Integer::sum);
        }

        void healthy(String target) {
            unhealthy.remove(target);
        }

        void reset() {
            counts.clear();
            read.clear();
            unhealthy.clear();
        }
    }
}
