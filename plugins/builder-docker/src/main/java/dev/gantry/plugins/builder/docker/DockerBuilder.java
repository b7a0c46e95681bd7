package dev.gantry.plugins.builder.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.sun.security.auth.module.UnixSystem;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.build.Builder;
import dev.gantry.plugin.api.build.LogSink;
import dev.gantry.plugin.api.build.StepResult;
import dev.gantry.plugin.api.build.StepSpec;
import java.io.IOException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each build step in a fresh container of the step's image through the Docker Engine API: no network unless the
 * step fetches dependencies, a read-only root filesystem with a private {@code /tmp}, the workspace and the step's
 * mounts bound in, no capabilities, an unprivileged user, memory, process and CPU limits; the container is removed
 * afterwards. Images are never pulled: they are built or imported on the Docker host.
 *
 * <p>The engine is {@code plugin.builder-docker.host} (default {@code unix:///var/run/docker.sock}). It is first
 * contacted by the first step, so the plugin starts where Docker is absent. That first contact also removes
 * containers that an earlier, crashed server left behind.
 */
@Extension
public final class DockerBuilder implements Builder {
    /** The name of the step a container runs. */
    static final String STEP_LABEL = "dev.gantry.step";
    /** Which builder instance made a container: every container Gantry's Docker builders make has it. */
    static final String BUILDER_LABEL = "dev.gantry.builder";
    /** When a container's step times out, after which whoever made it has killed it unless that one is gone. */
    static final String DEADLINE_LABEL = "dev.gantry.deadline";
    /** How long after its end (or deadline) another builder's container must be left alone: it may be removing it. */
    static final Duration ABANDONED_AFTER = Duration.ofMinutes(5);
    /** nobody:nogroup: owns nothing on the host, so the step can write only what it is given. */
    private static final StepUser NOBODY = new StepUser(65534, 65534);
    private static final Logger logger = LoggerFactory.getLogger(DockerBuilder.class);

    private final DockerBuilderConfig config;
    private final Clock clock;
    private final String instanceId = UUID.randomUUID().toString();
    private final Object connecting = new Object();
    private DockerEngine engine; // guarded by connecting; made on first use
    private volatile Connection connection;
    /** Containers whose removal failed (e.g. the engine was restarting), removed before the next step. */
    private final Set<String> unremoved = ConcurrentHashMap.newKeySet();

    public DockerBuilder(PluginConfig config, Clock clock) {
        this.config = DockerBuilderConfig.from(requireNonNull(config, "config is null"));
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public String kind() {
        return "docker";
    }

    /** The value of {@link #BUILDER_LABEL} on this instance's containers. */
    String instanceId() {
        return instanceId;
    }

    @Override
    public StepResult run(StepSpec step, LogSink log) throws IOException {
        requireNonNull(step, "step is null");
        requireNonNull(log, "log is null");
        String image = step.image().filter(name -> !name.isBlank()).orElseThrow(() -> new IOException(
                "step '" + step.name() + "' runs on the docker builder, which needs an image to run it in: add"
                        + " `image:` to the step in pipeline.yaml"));
        if (Thread.currentThread().isInterrupted()) {
            return new StepResult(-1, Duration.ZERO, Optional.of("cancelled"));
        }
        Connection connected = connect();
        removeUnremoved(connected.engine());
        StepUser user = prepareHostDirectories(step);
        Map<String, String> labels = Map.of(
                STEP_LABEL, step.name(),
                BUILDER_LABEL, instanceId,
                DEADLINE_LABEL, deadline(step.timeout()).toString());
        long nanoCpus = Math.max(10_000_000L, Math.round(Math.min(step.limits().cpus(), connected.cpus()) * 1e9));
        return new ContainerRun(connected.engine(), step, image, log, user, labels, nanoCpus, unremoved::add).run();
    }

    /** The engine, once it answered; the first answer also sweeps up what crashed runs left. */
    private Connection connect() throws IOException {
        Connection current = connection;
        if (current != null) {
            return current;
        }
        synchronized (connecting) {
            if (connection != null) {
                return connection;
            }
            if (engine == null) {
                engine = new DockerEngine(config.host());
            }
            DockerEngine reached = engine;
            Integer cpus = reached.call("describe itself", () -> reached.client().infoCmd().exec().getNCPU());
            removeLeftovers(reached);
            // the engine refuses a CPU limit above the host's CPU count, which the default limit can exceed
            connection = new Connection(reached, cpus == null || cpus < 1 ? 1 : cpus);
            return connection;
        }
    }

    /**
     * Removes containers of Gantry's Docker builders that nobody runs any more: stopped ones that ended a while ago
     * (their builder would have removed them at once) and running ones well past their step's deadline (their builder
     * would have killed them). A container another live server is just starting, running or removing is left alone.
     */
    private void removeLeftovers(DockerEngine reached) {
        DockerClient client = reached.client();
        List<Container> containers;
        try {
            containers = reached.call("list the containers of earlier builds",
                    () -> client.listContainersCmd().withShowAll(true).withLabelFilter(List.of(BUILDER_LABEL)).exec());
        } catch (IOException e) {
            logger.warn("could not look for containers that earlier builds left behind: {}", e.getMessage());
            return;
        }
        Instant now = clock.instant();
        for (Container container : containers) {
            Map<String, String> labels = container.getLabels() == null ? Map.of() : container.getLabels();
            if (instanceId.equals(labels.get(BUILDER_LABEL))) {
                continue;
            }
            try {
                if (abandoned(reached, container, labels, now)) {
                    reached.run("remove a container left over by an earlier build",
                            () -> removeQuietly(client, container.getId()));
                    logger.info("removed container {} of step '{}', left over by an earlier build", container.getId(),
                            labels.get(STEP_LABEL));
                }
            } catch (IOException e) {
                logger.warn("could not remove container {} left over by an earlier build: {}", container.getId(),
                        e.getMessage());
            }
        }
    }

    private static boolean abandoned(DockerEngine reached, Container container, Map<String, String> labels,
            Instant now) throws IOException {
        String state = String.valueOf(container.getState());
        switch (state) {
            case "running", "paused", "restarting" -> {
                Optional<Instant> deadline = instant(labels.get(DEADLINE_LABEL));
                return deadline.isPresent() && now.isAfter(deadline.get().plus(ABANDONED_AFTER));
            }
            case "removing" -> {
                return false;
            }
            default -> {
                Instant created = Instant.ofEpochSecond(container.getCreated() == null ? 0 : container.getCreated());
                Optional<Instant> finished = reached.call("inspect a container left over by an earlier build", () -> {
                    try {
                        return instant(reached.client().inspectContainerCmd(container.getId()).exec().getState()
                                .getFinishedAt());
                    } catch (NotFoundException e) {
                        return Optional.<Instant>empty();
                    }
                });
                // never started: FinishedAt is the zero time, so the creation time counts
                Instant since = finished.filter(created::isBefore).orElse(created);
                return now.isAfter(since.plus(ABANDONED_AFTER));
            }
        }
    }

    private void removeUnremoved(DockerEngine reached) {
        for (String id : List.copyOf(unremoved)) {
            try {
                reached.run("remove a container of an earlier step", () -> removeQuietly(reached.client(), id));
                unremoved.remove(id);
            } catch (IOException e) {
                logger.warn("still cannot remove container {}: {}", id, e.getMessage());
            }
        }
    }

    private static void removeQuietly(DockerClient client, String id) {
        try {
            client.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException | ConflictException e) {
            // gone already, or being removed
        }
    }

    /**
     * Who the step runs as. A server running as root hands the workspace and the writable mounts to
     * nobody (65534) and runs the step as nobody: never as root, whose bind-mounted writes and kernel reach are the
     * host's, and as a user that owns nothing else on the host. A server that is not root cannot give files away, so
     * its steps run as its own unprivileged user, who owns the workspace already.
     */
    private static StepUser prepareHostDirectories(StepSpec step) throws IOException {
        UnixSystem server = new UnixSystem();
        if (server.getUid() != 0) {
            return new StepUser(server.getUid(), server.getGid());
        }
        WorkspaceOwner.chown(step.workspace(), NOBODY);
        for (StepSpec.Mount mount : step.mounts()) {
            if (mount.writable()) {
                WorkspaceOwner.chown(mount.source(), NOBODY);
            }
        }
        return NOBODY;
    }

    private Instant deadline(Duration timeout) {
        try {
            return clock.instant().plus(timeout);
        } catch (DateTimeException | ArithmeticException e) {
            return Instant.MAX;
        }
    }

    private static Optional<Instant> instant(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** An engine that answered, and how many CPUs its host has. */
    private record Connection(DockerEngine engine, int cpus) {}
}
