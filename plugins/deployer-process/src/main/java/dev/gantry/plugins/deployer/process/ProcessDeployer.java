package dev.gantry.plugins.deployer.process;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.PluginContext;
import dev.gantry.plugin.api.deploy.DeployTarget;
import dev.gantry.plugin.api.deploy.Deployer;
import dev.gantry.plugin.api.deploy.DeployerException;
import dev.gantry.plugin.api.deploy.InstanceStatus;
import dev.gantry.plugin.api.deploy.StaleFenceException;
import dev.gantry.plugin.api.deploy.VersionSpec;
import dev.gantry.plugins.deployer.common.Artifacts;
import dev.gantry.plugins.deployer.common.Processes;
import dev.gantry.plugins.deployer.common.PrometheusTargets;
import dev.gantry.plugins.deployer.common.Routers;
import dev.gantry.plugins.deployer.common.TargetDirectory;
import dev.gantry.plugins.deployer.common.Versions;
import dev.gantry.plugins.deployer.common.Traffic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gantry's default deployer ({@code kind: process}): each instance of a version is a local process started from the
 * version's unpacked artifact ({@code bin/start}, with {@code PORT}), and one router process per target splits the
 * traffic on the target's {@code router_port} between versions by weight. Instances and routers run in sessions of
 * their own and outlive the server; everything needed to find them again is in files under the plugin's data
 * directory (or {@code state-dir}, which replicas on one machine share), so a restarted server, another replica or a
 * new instance of this class adopts them without restarting anything.
 *
 * <p>Changing calls are serialized per target, across threads and across server processes on this machine, and fenced:
 * a caller whose fencing token is lower than one the target has seen gets {@link StaleFenceException}.
 */
@Extension
public final class ProcessDeployer implements Deployer {
    private static final Logger log = LoggerFactory.getLogger(ProcessDeployer.class);
    /** Server environment variables an instance gets besides its version's own; nothing that could be a secret. */
    private static final List<String> PASSED_THROUGH = List.of("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL",
            "LC_CTYPE", "TZ", "TMPDIR");

    private final Path dataDirectory;
    private final Clock clock;
    private final ProcessDeployerConfig config;
    private final Artifacts artifacts;
    private final Traffic traffic;
    private final PrometheusTargets prometheusTargets;
    private final ExecutorService background;

    public ProcessDeployer(PluginContext context) {
        requireNonNull(context, "context is null");
        this.config = ProcessDeployerConfig.from(context.config());
        this.dataDirectory = config.directory(context.dataDirectory());
        HttpClient httpClient = requireNonNull(context.httpClient(), "httpClient is null");
        this.clock = context.clock();
        this.artifacts = new Artifacts(dataDirectory, httpClient);
        this.traffic = new Traffic(new Routers(config.routerSettings(), httpClient), httpClient, config.healthTimeout());
        this.prometheusTargets = PrometheusTargets.in(dataDirectory, config.prometheusTargetsDir());
        this.background = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "deployer-process-background");
            thread.setDaemon(true);
            return thread;
        });
        try {
            Files.createDirectories(dataDirectory.resolve("targets"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the process deployer's directory " + dataDirectory, e);
        }
        artifacts.removeLeftovers();
    }

    @Override
    public String kind() {
        return "process";
    }

    @Override
    public void ensureInstances(DeployTarget target, VersionSpec version, int instances) {
        String digest = Versions.check(version, instances);
        TargetDirectory dir = directory(target);
        dir.exclusively(() -> {
            dir.checkFence();
            List<InstanceRecord> live = new ArrayList<>();
            List<InstanceRecord> toStop = new ArrayList<>();
            List<InstanceRecord> started = new ArrayList<>();
            boolean changed = false;
            try {
                for (InstanceRecord record : InstanceRecord.read(dir, version.version())) {
                    if (!Processes.isRunning(record.identity())) {
                        log.info("instance {} of target {} (pid {}) is no longer running; forgetting it",
                                record.instanceId(), dir.describe(), record.pid());
                        record.delete(dir);
                        changed = true;
                    } else if (!record.artifactDigest().equals(digest)) {
                        // the same version label now names other bytes: its old instances are not this version
                        toStop.add(record);
                    } else {
                        live.add(record);
                    }
                }
                // the highest indexes go first, so a scaled-down version keeps 0..n-1
                while (live.size() > instances) {
                    toStop.add(live.remove(live.size() - 1));
                }
                if (!toStop.isEmpty()) {
                    changed = true;
                    stop(dir, toStop);
                }
                for (int i = 0; i < live.size(); i++) {
                    InstanceRecord record = live.get(i);
                    if (!record.healthPath().equals(version.healthPath())) {
                        InstanceRecord updated = new InstanceRecord(record.version(), record.index(), record.pid(),
                                record.port(), record.startedAt(), record.startTicks(), record.artifactDigest(),
                                version.healthPath());
                        updated.write(dir);
                        live.set(i, updated);
                    }
                }
                if (live.size() < instances) {
                    // verified and unpacked before anything starts: a corrupt artifact starts nothing
                    Path artifact = artifacts.prepare(version);
                    Set<Integer> taken = new HashSet<>();
                    live.forEach(record -> taken.add(record.index()));
                    for (int index = 0; live.size() + started.size() < instances; index++) {
                        if (!taken.contains(index)) {
                            started.add(start(dir, version, digest, artifact, index));
                            changed = true;
                        }
                    }
                    log.info("started {} instance(s) of version {} on target {}", started.size(), version.version(),
                            dir.describe());
                }
            } catch (IOException e) {
                throw new DeployerException("cannot update the instances of version " + version.version() + " on target "
                        + dir.describe() + ": " + e.getMessage(), e);
            } finally {
                if (changed) {
                    afterChange(dir, started);
                }
            }
        });
    }

    @Override
    public void removeVersion(DeployTarget target, String version) {
        TargetDirectory dir = directory(target);
        TargetDirectory.name("version", version);
        dir.exclusively(() -> {
            dir.checkFence();
            traffic.removeVersion(dir, version);
            List<InstanceRecord> records = InstanceRecord.read(dir, version);
            stopProcesses(records);
            for (InstanceRecord record : records) {
                try {
                    record.delete(dir);
                } catch (IOException e) {
                    throw new DeployerException("cannot delete the record of instance " + record.instanceId() + ": "
                            + e.getMessage(), e);
                }
            }
            if (!records.isEmpty()) {
                log.info("removed version {} from target {}: stopped {} instance(s)", version, dir.describe(),
                        records.size());
            }
            writePrometheusTargets(dir);
        });
    }

    @Override
    public void setWeights(DeployTarget target, Map<String, Integer> weightByVersion) {
        Traffic.checkWeights(weightByVersion);
        TargetDirectory dir = directory(target);
        dir.exclusively(() -> {
            dir.checkFence();
            List<InstanceRecord> records = InstanceRecord.readAll(dir);
            traffic.setWeights(dir, weightByVersion, Traffic.healthyBackends(health(records), Set.of()));
            writePrometheusTargets(dir);
        });
    }

    @Override
    public Map<String, Integer> weights(DeployTarget target) {
        return traffic.weights(directory(target));
    }

    @Override
    public List<InstanceStatus> instances(DeployTarget target) {
        TargetDirectory dir = directory(target);
        List<InstanceRecord> records = InstanceRecord.readAll(dir);
        Map<InstanceRecord, Boolean> health = health(records);
        List<InstanceStatus> statuses = new ArrayList<>(records.size());
        for (InstanceRecord record : records) {
            statuses.add(new InstanceStatus(record.instanceId(), record.version(), record.address(),
                    health.get(record)));
        }
        return statuses;
    }

    private TargetDirectory directory(DeployTarget target) {
        return new TargetDirectory(dataDirectory, requireNonNull(target, "target is null"));
    }

    private InstanceRecord start(TargetDirectory dir, VersionSpec version, String digest, Path artifact, int index)
            throws IOException {
        int port = InstancePorts.free();
        Path logFile = InstanceRecord.logFile(dir, version.version(), index);
        Files.createDirectories(logFile.getParent());
        // a line per start in the log, so a restarted instance's output can be told from its predecessor's
        Files.writeString(logFile, "--- " + clock.instant() + " gantry: starting version " + version.version()
                        + " instance " + index + " (" + digest + ") on port " + port + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Map<String, String> environment = new HashMap<>();
        for (String name : PASSED_THROUGH) {
            String value = System.getenv(name);
            if (value != null) {
                environment.put(name, value);
            }
        }
        environment.putIfAbsent("PATH", "/usr/local/bin:/usr/bin:/bin");
        environment.putAll(version.environment());
        environment.put("PORT", Integer.toString(port));
        environment.put("GANTRY_SERVICE", dir.target().service());
        environment.put("GANTRY_ENVIRONMENT", dir.target().environment());
        environment.put("GANTRY_TARGET", dir.target().target());
        environment.put("GANTRY_VERSION", version.version());
        environment.put("GANTRY_INSTANCE", Integer.toString(index));
        Process process = Processes.startDetached(List.of(artifact.resolve("bin/start").toString()), artifact,
                environment, logFile);
        Processes.Identity identity = Processes.identify(process);
        InstanceRecord record = new InstanceRecord(version.version(), index, identity.pid(), port,
                identity.startedAt(), identity.startTicks(), digest, version.healthPath());
        record.write(dir);
        log.debug("started instance {} of target {}: pid {}, port {}", record.instanceId(), dir.describe(),
                record.pid(), port);
        return record;
    }

    /** Takes the instances out of the router first, so no request goes to a stopping process, then stops them. */
    private void stop(TargetDirectory dir, List<InstanceRecord> records) throws IOException {
        Set<String> leaving = new HashSet<>();
        records.forEach(record -> leaving.add(record.address()));
        refreshRouter(dir, leaving);
        stopProcesses(records);
        for (InstanceRecord record : records) {
            record.delete(dir);
        }
        log.info("stopped {} instance(s) on target {}", records.size(), dir.describe());
    }

    /** Stops the processes all at once, so stopping many costs one grace period, not one each. */
    private void stopProcesses(List<InstanceRecord> records) {
        List<CompletableFuture<Void>> stopping = new ArrayList<>();
        for (InstanceRecord record : records) {
            stopping.add(CompletableFuture.runAsync(() -> Processes.stopTree(record.identity(), config.stopGrace()),
                    background));
        }
        CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)).join();
    }

    /**
     * After instances changed: the router's backends follow (weights kept), Prometheus's file too, and the instances
     * just started are watched so that they join the backends once healthy.
     */
    private void afterChange(TargetDirectory dir, List<InstanceRecord> started) {
        try {
            refreshRouter(dir, Set.of());
        } catch (StaleFenceException e) {
            throw e;
        } catch (RuntimeException e) {
            log.warn("cannot update the router's backends of target {}: {}", dir.describe(), e.getMessage());
        }
        writePrometheusTargets(dir);
        if (!started.isEmpty()) {
            background.execute(() -> Traffic.joinWhenHealthy(dir, () -> {
                Map<InstanceRecord, Boolean> health = health(started);
                int healthy = (int) health.values().stream().filter(Boolean::booleanValue).count();
                boolean settled = started.stream().allMatch(record -> health.get(record)
                        || !Processes.isRunning(record.identity()));
                return new Traffic.Progress(healthy, settled);
            }, () -> refreshRouter(dir, Set.of())));
        }
    }

    /** Prometheus is pointed at the instances whose processes run (a dead one's port may be another program's). */
    private void writePrometheusTargets(TargetDirectory dir) {
        prometheusTargets.write(dir.target(), InstanceRecord.readAll(dir).stream()
                .filter(record -> Processes.isRunning(record.identity())).toList());
    }

    /**
     * Sets the router's backends of every version to its healthy instances (less {@code leaving}), keeping the weights.
     * Does nothing when no router runs: the next setWeights starts one with the backends of that moment.
     */
    private void refreshRouter(TargetDirectory dir, Set<String> leaving) {
        traffic.refresh(dir, Traffic.healthyBackends(health(InstanceRecord.readAll(dir)), leaving));
    }

    /**
     * Whether each instance is healthy: its process runs and {@code GET <health path>} answers 2xx within the health
     * timeout. All are checked at once.
     */
    private Map<InstanceRecord, Boolean> health(List<InstanceRecord> records) {
        Map<InstanceRecord, Optional<URI>> urls = new LinkedHashMap<>();
        for (InstanceRecord record : records) {
            urls.put(record, Processes.isRunning(record.identity())
                    ? Optional.of(URI.create("http://127.0.0.1:" + record.port() + record.healthPath()))
                    : Optional.empty());
        }
        return traffic.health(urls);
    }
}
