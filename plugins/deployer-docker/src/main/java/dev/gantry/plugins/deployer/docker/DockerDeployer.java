package dev.gantry.plugins.deployer.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.api.model.Volume;
import dev.gantry.plugin.api.PluginContext;
import dev.gantry.plugin.api.deploy.DeployTarget;
import dev.gantry.plugin.api.deploy.Deployer;
import dev.gantry.plugin.api.deploy.DeployerException;
import dev.gantry.plugin.api.deploy.InstanceStatus;
import dev.gantry.plugin.api.deploy.StaleFenceException;
import dev.gantry.plugin.api.deploy.VersionSpec;
import dev.gantry.plugins.deployer.common.Artifacts;
import dev.gantry.plugins.deployer.common.PrometheusTargets;
import dev.gantry.plugins.deployer.common.Routers;
import dev.gantry.plugins.deployer.common.TargetDirectory;
import dev.gantry.plugins.deployer.common.Versions;
import dev.gantry.plugins.deployer.common.Traffic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Docker deployer ({@code kind: docker}): each instance of a version is a container on a Docker engine, running the
 * version's verified, unpacked artifact (bind-mounted read-only at {@code /app}) in a base image, and one router process
 * per target splits the traffic on the target's {@code router_port} between versions by weight, as the process deployer
 * does. Containers are found by their labels, so a restarted server (or a new instance of this class) adopts the ones
 * that kept running; the router is adopted through its files under the plugin's data directory.
 *
 * <p>The engine must run on this machine: the artifact is mounted from the plugin's data directory, and instances are
 * reached on 127.0.0.1. Changing calls are serialized and fenced per target, as the process deployer's are.
 */
@Extension
public final class DockerDeployer implements Deployer {
    private static final Logger log = LoggerFactory.getLogger(DockerDeployer.class);
    private static final Pattern MEMORY = Pattern.compile("(\\d+)\\s*([bkmg]?)", Pattern.CASE_INSENSITIVE);
    /** Versions longer than this are shortened in container names (with a hash, so names stay distinct). */
    private static final int NAME_VERSION_LENGTH = 36;

    private final Path dataDirectory;
    private final DockerDeployerConfig config;
    private final DockerEngine engine;
    private final Artifacts artifacts;
    private final Traffic traffic;
    private final PrometheusTargets prometheusTargets;
    private final ExecutorService background;

    public DockerDeployer(PluginContext context) {
        requireNonNull(context, "context is null");
        this.config = DockerDeployerConfig.from(context.config());
        this.dataDirectory = context.dataDirectory().toAbsolutePath().normalize();
        HttpClient httpClient = requireNonNull(context.httpClient(), "httpClient is null");
        this.engine = new DockerEngine(config.dockerHost());
        this.artifacts = new Artifacts(dataDirectory, httpClient);
        this.traffic = new Traffic(new Routers(config.routerSettings(), httpClient), httpClient, config.healthTimeout());
        this.prometheusTargets = PrometheusTargets.in(dataDirectory, config.prometheusTargetsDir());
        this.background = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "deployer-docker-background");
            thread.setDaemon(true);
            return thread;
        });
        try {
            Files.createDirectories(dataDirectory.resolve("targets"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Docker deployer's directory " + dataDirectory, e);
        }
        artifacts.removeLeftovers();
    }

    @Override
    public String kind() {
        return "docker";
    }

    @Override
    public void ensureInstances(DeployTarget target, VersionSpec version, int instances) {
        String digest = Versions.check(version, instances);
        TargetDirectory dir = directory(target);
        dir.exclusively(() -> {
            dir.checkFence();
            List<ContainerInstance> live = new ArrayList<>();
            List<ContainerInstance> toStop = new ArrayList<>();
            List<ContainerInstance> started = new ArrayList<>();
            boolean changed = false;
            try {
                Set<Integer> indexes = new HashSet<>();
                for (ContainerInstance container : containers(dir.target())) {
                    if (!container.version().equals(version.version())) {
                        continue;
                    }
                    if (!container.running()) {
                        log.info("container {} of target {} no longer runs; removing it", container.name(),
                                dir.describe());
                        remove(container);
                        changed = true;
                    } else if (!container.digest().equals(digest) || !container.healthPath().equals(version.healthPath())
                            || !indexes.add(container.index())) {
                        // the same version label now names other bytes (or checks): its old containers are not it
                        toStop.add(container);
                    } else {
                        live.add(container);
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
                if (live.size() < instances) {
                    ContainerSpec spec = spec(dir.target());
                    // verified and unpacked before anything starts: a corrupt artifact starts nothing
                    Path artifact = artifacts.prepare(version);
                    Set<Integer> taken = new HashSet<>();
                    live.forEach(container -> taken.add(container.index()));
                    for (int index = 0; live.size() + started.size() < instances; index++) {
                        if (!taken.contains(index)) {
                            changed = true;
                            started.add(start(dir, version, digest, artifact, index, spec));
                        }
                    }
                    log.info("started {} container(s) of version {} on target {}", started.size(), version.version(),
                            dir.describe());
                }
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
            List<ContainerInstance> containers = containers(dir.target()).stream()
                    .filter(container -> container.version().equals(version)).toList();
            stopContainers(containers);
            if (!containers.isEmpty()) {
                log.info("removed version {} from target {}: removed {} container(s)", version, dir.describe(),
                        containers.size());
            }
            writePrometheusTargets(dir, containers(dir.target()));
        });
    }

    @Override
    public void setWeights(DeployTarget target, Map<String, Integer> weightByVersion) {
        Traffic.checkWeights(weightByVersion);
        TargetDirectory dir = directory(target);
        dir.exclusively(() -> {
            dir.checkFence();
            List<ContainerInstance> containers = containers(dir.target());
            traffic.setWeights(dir, weightByVersion, Traffic.healthyBackends(health(containers), Set.of()));
            writePrometheusTargets(dir, containers);
        });
    }

    @Override
    public Map<String, Integer> weights(DeployTarget target) {
        return traffic.weights(directory(target));
    }

    @Override
    public List<InstanceStatus> instances(DeployTarget target) {
        TargetDirectory dir = directory(target);
        Map<ContainerInstance, Boolean> health = health(containers(dir.target()));
        List<InstanceStatus> statuses = new ArrayList<>(health.size());
        // a container that does not run has no published port, so no address
        health.forEach((container, healthy) -> statuses.add(new InstanceStatus(container.name(), container.version(),
                container.hostPort() > 0 ? container.address() : "", healthy)));
        return statuses;
    }

    private TargetDirectory directory(DeployTarget target) {
        return new TargetDirectory(dataDirectory, requireNonNull(target, "target is null"));
    }

    /** The target's containers, running or not, by version and index. */
    private List<ContainerInstance> containers(DeployTarget target) {
        Map<String, String> labels = Map.of(ContainerInstance.SERVICE, target.service(),
                ContainerInstance.ENVIRONMENT, target.environment(), ContainerInstance.TARGET, target.target());
        return engine.call("list the containers of " + describe(target), () -> engine.client().listContainersCmd()
                        .withShowAll(true).withLabelFilter(labels).exec())
                .stream()
                .flatMap(container -> ContainerInstance.of(container).stream())
                .sorted(Comparator.comparing(ContainerInstance::version).thenComparingInt(ContainerInstance::index))
                .toList();
    }

    /** What a target's settings say about its containers: the image and the resource limits. */
    private record ContainerSpec(String image, OptionalLong memoryBytes, OptionalLong nanoCpus) {
    }

    private ContainerSpec spec(DeployTarget target) {
        Map<String, String> settings = target.settings();
        String image = Optional.ofNullable(settings.getOrDefault("image." + target.service(), settings.get("image")))
                .map(String::strip).filter(value -> !value.isEmpty()).orElse(config.image());
        OptionalLong memory = OptionalLong.empty();
        String memoryText = settings.get("memory");
        if (memoryText != null) {
            Matcher matcher = MEMORY.matcher(memoryText.strip());
            long bytes = -1;
            if (matcher.matches()) {
                try {
                    long amount = Long.parseLong(matcher.group(1));
                    int shift = switch (matcher.group(2).toLowerCase(Locale.ROOT)) {
                        case "k" -> 10;
                        case "m" -> 20;
                        case "g" -> 30;
                        default -> 0;
                    };
                    bytes = Math.multiplyExact(amount, 1L << shift);
                } catch (ArithmeticException | NumberFormatException tooLarge) {
                    bytes = -1;
                }
            }
            // the engine's own floor is 6 MB
            if (bytes < 6L << 20) {
                throw new DeployerException("target " + describe(target) + " has memory '" + memoryText + "', which is "
                        + "not a memory limit of at least 6m (bytes, or a number with k, m or g)");
            }
            memory = OptionalLong.of(bytes);
        }
        OptionalLong nanoCpus = OptionalLong.empty();
        String cpusText = settings.get("cpus");
        if (cpusText != null) {
            long nanos;
            try {
                nanos = new BigDecimal(cpusText.strip()).movePointRight(9).longValueExact();
            } catch (NumberFormatException | ArithmeticException e) {
                nanos = -1;
            }
            if (nanos <= 0) {
                throw new DeployerException("target " + describe(target) + " has cpus '" + cpusText + "', which is not "
                        + "a positive number of CPUs (such as 0.5 or 2)");
            }
            nanoCpus = OptionalLong.of(nanos);
        }
        return new ContainerSpec(image, memory, nanoCpus);
    }

    private ContainerInstance start(TargetDirectory dir, VersionSpec version, String digest, Path artifact, int index,
                                    ContainerSpec spec) {
        DeployTarget target = dir.target();
        String name = containerName(target, version.version(), index);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(ContainerInstance.SERVICE, target.service());
        labels.put(ContainerInstance.ENVIRONMENT, target.environment());
        labels.put(ContainerInstance.TARGET, target.target());
        labels.put(ContainerInstance.VERSION, version.version());
        labels.put(ContainerInstance.DIGEST, digest);
        labels.put(ContainerInstance.INDEX, Integer.toString(index));
        labels.put(ContainerInstance.FENCE, Long.toString(target.fence()));
        labels.put(ContainerInstance.HEALTH_PATH, version.healthPath());
        Map<String, String> environment = new LinkedHashMap<>(version.environment());
        environment.put("PORT", Integer.toString(ContainerInstance.PORT));
        environment.put("GANTRY_SERVICE", target.service());
        environment.put("GANTRY_ENVIRONMENT", target.environment());
        environment.put("GANTRY_TARGET", target.target());
        environment.put("GANTRY_VERSION", version.version());
        environment.put("GANTRY_INSTANCE", Integer.toString(index));
        ExposedPort port = ExposedPort.tcp(ContainerInstance.PORT);
        HostConfig host = HostConfig.newHostConfig()
                .withBinds(new Bind(artifact.toString(), new Volume("/app"), AccessMode.ro))
                // the engine picks a free port on the loopback address: only the router (and the health check) reach it
                .withPortBindings(new PortBinding(Ports.Binding.bindIp("127.0.0.1"), port))
                .withRestartPolicy(RestartPolicy.noRestart())
                // an init process as PID 1 passes SIGTERM on, so a service that installs no handler still stops at once
                .withInit(true);
        spec.memoryBytes().ifPresent(host::withMemory);
        spec.nanoCpus().ifPresent(host::withNanoCPUs);
        CreateContainerResponse created = engine.call("create container " + name + " from image " + spec.image(),
                () -> engine.client().createContainerCmd(spec.image())
                        .withName(name)
                        .withLabels(labels)
                        .withEnv(environment.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                        .withCmd("/app/bin/start")
                        .withWorkingDir("/app")
                        .withExposedPorts(port)
                        .withHostConfig(host)
                        .exec());
        if (created.getWarnings() != null) {
            for (String warning : created.getWarnings()) {
                log.warn("the Docker engine at {} warns about container {}: {}", engine.host(), name, warning);
            }
        }
        try {
            engine.run("start container " + name, () -> engine.client().startContainerCmd(created.getId()).exec());
        } catch (RuntimeException e) {
            // a container that never ran is no instance; the next ensureInstances tries afresh
            removeQuietly(created.getId());
            throw e;
        }
        int hostPort = engine.call("inspect container " + name, () -> {
            Ports.Binding[] bindings = engine.client().inspectContainerCmd(created.getId()).exec().getNetworkSettings()
                    .getPorts().getBindings().get(port);
            return bindings == null || bindings.length == 0 ? 0 : Integer.parseInt(bindings[0].getHostPortSpec());
        });
        ContainerInstance container = new ContainerInstance(created.getId(), name, version.version(), index, digest,
                version.healthPath(), target.fence(), true, hostPort);
        log.debug("started container {} ({}) of target {} on 127.0.0.1:{}", name, created.getId(), dir.describe(),
                hostPort);
        return container;
    }

    /**
     * {@code gantry-<service>-<environment>-<target>-<version>-<index>}, the version shortened when it is long. Names
     * are for people ({@code docker logs}); the labels are what the deployer goes by.
     */
    static String containerName(DeployTarget target, String version, int index) {
        String shortVersion = version.length() <= NAME_VERSION_LENGTH ? version
                : version.substring(0, NAME_VERSION_LENGTH - 9) + "-" + sha256(version).substring(0, 8);
        return "gantry-" + target.service() + "-" + target.environment() + "-" + target.target() + "-" + shortVersion
                + "-" + index;
    }

    /** Takes the containers out of the router first, so no request goes to a stopping one, then removes them. */
    private void stop(TargetDirectory dir, List<ContainerInstance> containers) {
        Set<String> leaving = new HashSet<>();
        containers.forEach(container -> leaving.add(container.address()));
        refreshRouter(dir, leaving);
        stopContainers(containers);
        log.info("stopped {} container(s) on target {}", containers.size(), dir.describe());
    }

    /** Stops and removes the containers all at once, so stopping many costs one grace period, not one each. */
    private void stopContainers(List<ContainerInstance> containers) {
        List<CompletableFuture<Void>> stopping = new ArrayList<>();
        for (ContainerInstance container : containers) {
            stopping.add(CompletableFuture.runAsync(() -> {
                if (container.running()) {
                    int grace = (int) Math.min(Integer.MAX_VALUE, (config.stopGrace().toMillis() + 999) / 1000);
                    try {
                        engine.run("stop container " + container.name(), () ->
                                engine.client().stopContainerCmd(container.id()).withTimeout(grace).exec());
                    } catch (DeployerException e) {
                        if (!(e.getCause() instanceof NotModifiedException || e.getCause() instanceof NotFoundException)) {
                            throw e;
                        }
                    }
                }
                remove(container);
            }, background));
        }
        try {
            CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private void remove(ContainerInstance container) {
        try {
            engine.run("remove container " + container.name(), () ->
                    engine.client().removeContainerCmd(container.id()).withForce(true).exec());
        } catch (DeployerException e) {
            if (!(e.getCause() instanceof NotFoundException)) {
                throw e;
            }
        }
    }

    private void removeQuietly(String id) {
        try {
            engine.client().removeContainerCmd(id).withForce(true).exec();
        } catch (RuntimeException e) {
            log.warn("cannot remove the container {} that did not start: {}", id, e.getMessage());
        }
    }

    /**
     * After containers changed: the router's backends follow (weights kept), Prometheus's file too, and the containers
     * just started are watched so that they join the backends once healthy.
     */
    private void afterChange(TargetDirectory dir, List<ContainerInstance> started) {
        try {
            refreshRouter(dir, Set.of());
        } catch (StaleFenceException e) {
            throw e;
        } catch (RuntimeException e) {
            log.warn("cannot update the router's backends of target {}: {}", dir.describe(), e.getMessage());
        }
        try {
            writePrometheusTargets(dir, containers(dir.target()));
        } catch (RuntimeException e) {
            log.warn("cannot update the Prometheus targets of target {}: {}", dir.describe(), e.getMessage());
        }
        if (!started.isEmpty()) {
            Set<String> ids = new HashSet<>();
            started.forEach(container -> ids.add(container.id()));
            background.execute(() -> Traffic.joinWhenHealthy(dir, () -> {
                List<ContainerInstance> now = containers(dir.target()).stream()
                        .filter(container -> ids.contains(container.id())).toList();
                Map<ContainerInstance, Boolean> health = health(now);
                int healthy = (int) health.values().stream().filter(Boolean::booleanValue).count();
                // settled when every started one is healthy, or has stopped running (or was removed)
                boolean settled = health.entrySet().stream().allMatch(entry -> entry.getValue()
                        || !entry.getKey().running());
                return new Traffic.Progress(healthy, settled);
            }, () -> refreshRouter(dir, Set.of())));
        }
    }

    /**
     * Sets the router's backends of every version to its healthy containers (less {@code leaving}), keeping the
     * weights. Does nothing when no router runs: the next setWeights starts one with the backends of that moment.
     */
    private void refreshRouter(TargetDirectory dir, Set<String> leaving) {
        traffic.refresh(dir, Traffic.healthyBackends(health(containers(dir.target())), leaving));
    }

    /**
     * Whether each container is healthy: it runs and {@code GET http://127.0.0.1:<host port><health path>} answers 2xx
     * within the health timeout. All are checked at once.
     */
    private Map<ContainerInstance, Boolean> health(List<ContainerInstance> containers) {
        Map<ContainerInstance, Optional<URI>> urls = new LinkedHashMap<>();
        for (ContainerInstance container : containers) {
            urls.put(container, container.running() && container.hostPort() > 0
                    ? Optional.of(URI.create("http://127.0.0.1:" + container.hostPort() + container.healthPath()))
                    : Optional.empty());
        }
        return traffic.health(urls);
    }

    /** Prometheus is pointed at the containers that run (the others have no address). */
    private void writePrometheusTargets(TargetDirectory dir, List<ContainerInstance> containers) {
        prometheusTargets.write(dir.target(), containers.stream()
                .filter(container -> container.running() && container.hostPort() > 0).toList());
    }

    private static String describe(DeployTarget target) {
        return target.service() + "/" + target.environment() + "/" + target.target();
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
