package dev.gantry.plugins.builder.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import dev.gantry.plugin.api.build.LogSink;
import dev.gantry.plugin.api.build.StepResult;
import dev.gantry.plugin.api.build.StepSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One step in one container: create, attach, start, follow its output until it exits, its timeout passes or the
 * calling thread is interrupted, then remove it. Used by one thread, once.
 */
final class ContainerRun {
    private static final Logger logger = LoggerFactory.getLogger(ContainerRun.class);
    /** Batches of lines between the engine's stream and the step's thread; bounded, so output cannot pile up. */
    private static final int QUEUE_CAPACITY = 64;
    /** Once the main process exited, how long the rest of its output may take to arrive. */
    private static final Duration OUTPUT_AFTER_EXIT = Duration.ofSeconds(10);
    /** Once the container is killed, how long the output it printed before may take to arrive. */
    private static final Duration OUTPUT_AFTER_KILL = Duration.ofSeconds(2);
    /** The exit code of a process killed by SIGKILL, reported when the engine did not say. */
    private static final int KILLED = 128 + 9;
    /** The exit code reported for a step stopped before its container started. */
    private static final int NOT_STARTED = -1;
    private static final String HOME = "/tmp";

    private final DockerEngine engine;
    private final DockerClient client;
    private final StepSpec step;
    private final String image;
    private final LogSink log;
    private final StepUser user;
    private final Map<String, String> labels;
    private final long nanoCpus;
    private final Consumer<String> removalFailed;
    private final BlockingQueue<StepEvent> events = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private boolean cancelled;

    /**
     * @param user who the step runs as
     * @param removalFailed told the id of a container that could not be removed, to try again later
     */
    ContainerRun(DockerEngine engine, StepSpec step, String image, LogSink log, StepUser user, Map<String, String> labels,
            long nanoCpus, Consumer<String> removalFailed) {
        this.engine = requireNonNull(engine, "engine is null");
        this.client = engine.client();
        this.step = requireNonNull(step, "step is null");
        this.image = requireNonNull(image, "image is null");
        this.log = requireNonNull(log, "log is null");
        this.user = requireNonNull(user, "user is null");
        this.labels = Map.copyOf(labels);
        this.nanoCpus = nanoCpus;
        this.removalFailed = requireNonNull(removalFailed, "removalFailed is null");
    }

    /** Runs the step; an interrupt of the calling thread cancels it and is still set when this returns. */
    StepResult run() throws IOException {
        long started = System.nanoTime();
        long deadline = started + nanosOf(step.timeout());
        try {
            if (interruptedNow()) {
                return result(started, new Outcome(NOT_STARTED, Optional.of("cancelled")));
            }
            String id = create();
            ContainerOutput output = new ContainerOutput(events);
            ContainerExit exit = new ContainerExit(events);
            try {
                Outcome outcome = interruptedNow() ? new Outcome(NOT_STARTED, Optional.of("cancelled"))
                        : runContainer(id, output, exit, deadline);
                return result(started, outcome.exitCode() != 0 && outcome.reason().isEmpty()
                        ? new Outcome(outcome.exitCode(), outOfMemory(id))
                        : outcome);
            } finally {
                output.close();
                exit.close();
                remove(id);
            }
        } finally {
            if (cancelled) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private String create() throws IOException {
        CreateContainerCmd create = client.createContainerCmd(image)
                .withCmd(step.command())
                // the step's command is the whole command line: an image's entrypoint wrapper would change what runs
                .withEntrypoint(List.of())
                .withEnv(environment())
                .withUser(user.uid() + ":" + user.gid())
                .withWorkingDir(StepSpec.WORKSPACE)
                // resolvable from /etc/hosts without a network, for tools that look up their own host name
                .withHostName("localhost")
                .withLabels(labels)
                .withAttachStdin(false)
                .withAttachStdout(true)
                .withAttachStderr(true)
                .withTty(false)
                .withHostConfig(HostConfig.newHostConfig()
                        .withNetworkMode(step.network() ? "bridge" : "none")
                        .withMounts(mounts())
                        .withReadonlyRootfs(true)
                        .withTmpFs(Map.of(HOME, tmpfsOptions()))
                        .withMemory(step.limits().memoryBytes())
                        .withMemorySwap(step.limits().memoryBytes()) // equal: no swap on top of the limit
                        .withPidsLimit((long) step.limits().maxProcesses())
                        .withNanoCPUs(nanoCpus)
                        .withCapDrop(Capability.ALL)
                        .withSecurityOpts(List.of("no-new-privileges"))
                        // a small init as PID 1 reaps orphaned processes, whose zombies would count against the pids limit
                        .withInit(true)
                        // output reaches the builder through attach only; the engine keeps no copy on its disk
                        .withLogConfig(new LogConfig(LogConfig.LoggingType.NONE)));
        CreateContainerResponse created = engine.call("create a container for step '" + step.name() + "'", () -> {
            try {
                return create.exec();
            } catch (NotFoundException e) {
                return null;
            }
        });
        if (created == null) {
            throw new IOException("the image '" + image + "' is not on the Docker host at " + engine.host()
                    + "; images are never pulled: build or import it on that host (docker build, or docker import of a"
                    + " root filesystem) under this name");
        }
        for (String warning : Optional.ofNullable(created.getWarnings()).orElse(new String[0])) {
            engine.warned(warning);
        }
        return created.getId();
    }

    /**
     * A private {@code /tmp} owned by the step's user: where the image has a {@code /tmp}, runc gives the tmpfs that
     * directory's mode, which in some images (like ones imported from a plain tarball) is 0755, not 1777. Executable,
     * since build tools unpack native libraries there; its pages count against the memory limit.
     */
    private String tmpfsOptions() {
        return "rw,exec,nosuid,nodev,mode=1777,uid=" + user.uid() + ",gid=" + user.gid() + ",size="
                + step.limits().memoryBytes();
    }

    private List<String> environment() {
        List<String> environment = new ArrayList<>();
        step.environment().forEach((name, value) -> environment.add(name + "=" + value));
        // PATH is left to the image, or the engine's default when the image sets none; HOME must be writable
        if (!step.environment().containsKey("HOME")) {
            environment.add("HOME=" + HOME);
        }
        environment.sort(null);
        return environment;
    }

    private List<Mount> mounts() {
        List<Mount> mounts = new ArrayList<>();
        mounts.add(bind(step.workspace(), StepSpec.WORKSPACE, false));
        for (StepSpec.Mount mount : step.mounts()) {
            mounts.add(bind(mount.source(), mount.target(), !mount.writable()));
        }
        return mounts;
    }

    /** A bind through the Mounts API, which refuses a missing source instead of creating it as root on the host. */
    private static Mount bind(Path source, String target, boolean readOnly) {
        return new Mount().withType(MountType.BIND)
                .withSource(source.toAbsolutePath().normalize().toString())
                .withTarget(target)
                .withReadOnly(readOnly);
    }

    private Outcome runContainer(String id, ContainerOutput output, ContainerExit exit, long deadline) throws IOException {
        // attached before the start, so not even the first line of a quick step is missed
        client.attachContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(true).withLogs(false)
                .exec(output);
        try {
            output.started().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            cancelled = true;
            return new Outcome(NOT_STARTED, Optional.of("cancelled"));
        } catch (TimeoutException e) {
            return new Outcome(NOT_STARTED, Optional.of(timedOut()));
        } catch (ExecutionException e) {
            throw engine.failure("attach to the output of step '" + step.name() + "'", e.getCause());
        }
        engine.run("start the container of step '" + step.name() + "'", () -> client.startContainerCmd(id).exec());
        client.waitContainerCmd(id).exec(exit);
        return follow(id, deadline);
    }

    /** Hands the step's output to the log until it has exited and its output ended, or stops it. */
    private Outcome follow(String id, long deadline) throws IOException {
        Integer exitCode = null;
        boolean outputEnded = false;
        long outputDeadline = 0;
        while (exitCode == null || !outputEnded) {
            long until = exitCode == null ? deadline : outputDeadline;
            long remaining = until - System.nanoTime();
            if (remaining <= 0) {
                if (exitCode == null) {
                    return stop(id, timedOut());
                }
                logger.warn("the output of step '{}' did not end {} after it exited; the rest is not logged",
                        step.name(), OUTPUT_AFTER_EXIT);
                break;
            }
            StepEvent event;
            try {
                event = events.poll(remaining, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                cancelled = true;
                if (exitCode != null) {
                    break; // it ended on its own: only the rest of its output is given up
                }
                return stop(id, "cancelled");
            }
            if (event instanceof StepEvent.Lines lines) {
                lines.lines().forEach(log::line);
            } else if (event instanceof StepEvent.OutputEnded ended) {
                outputEnded = true;
                ended.failure().ifPresent(failure -> log.line("(output lost: the Docker engine's output stream broke: "
                        + failure.getMessage() + ")"));
            } else if (event instanceof StepEvent.Exited exited) {
                exitCode = exited.code();
                outputDeadline = System.nanoTime() + OUTPUT_AFTER_EXIT.toNanos();
            } else if (event instanceof StepEvent.ExitUnknown unknown) {
                throw engine.failure("wait for the container of step '" + step.name() + "'", unknown.failure());
            }
        }
        return new Outcome(exitCode, Optional.empty());
    }

    /**
     * Kills the container: SIGKILL to its init ends the container's PID namespace, and with it every process the step
     * started, wherever it moved to. What it printed before still reaches the log, for a moment.
     */
    private Outcome stop(String id, String reason) throws IOException {
        engine.run("kill the container of step '" + step.name() + "'", () -> {
            try {
                client.killContainerCmd(id).exec();
            } catch (NotFoundException | ConflictException e) {
                // it stopped on its own meanwhile
            }
        });
        int exitCode = KILLED;
        long until = System.nanoTime() + OUTPUT_AFTER_KILL.toNanos();
        boolean outputEnded = false;
        while (!outputEnded) {
            long remaining = until - System.nanoTime();
            if (remaining <= 0) {
                break;
            }
            StepEvent event;
            try {
                event = events.poll(remaining, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                cancelled = true;
                break;
            }
            if (event instanceof StepEvent.Lines lines) {
                lines.lines().forEach(log::line);
            } else if (event instanceof StepEvent.Exited exited) {
                exitCode = exited.code();
            } else if (event instanceof StepEvent.OutputEnded) {
                outputEnded = true;
            }
        }
        return new Outcome(exitCode, Optional.of(reason));
    }

    /** Why a step that failed failed, when it was killed at its memory limit. */
    private Optional<String> outOfMemory(String id) throws IOException {
        InspectContainerResponse container = engine.call("inspect the container of step '" + step.name() + "'",
                () -> client.inspectContainerCmd(id).exec());
        if (container.getState() != null && Boolean.TRUE.equals(container.getState().getOOMKilled())) {
            return Optional.of("killed for using more than its memory limit of "
                    + bytes(step.limits().memoryBytes()) + " (out of memory)");
        }
        return Optional.empty();
    }

    private void remove(String id) {
        try {
            engine.run("remove the container of step '" + step.name() + "'", () -> {
                try {
                    client.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
                } catch (NotFoundException e) {
                    // already gone
                } catch (ConflictException e) {
                    // already being removed (e.g. by a leftover sweep)
                }
            });
        } catch (IOException e) {
            removalFailed.accept(id);
            logger.warn("could not remove container {} of step '{}', will try again: {}", id, step.name(),
                    e.getMessage());
        }
    }

    private boolean interruptedNow() {
        if (Thread.interrupted()) {
            cancelled = true;
        }
        return cancelled;
    }

    private StepResult result(long started, Outcome outcome) {
        return new StepResult(outcome.exitCode(), Duration.ofNanos(System.nanoTime() - started), outcome.reason());
    }

    private String timedOut() {
        return "timed out after " + human(step.timeout());
    }

    /** A timeout as a deadline offset; one too long to count in nanoseconds is as good as none. */
    private static long nanosOf(Duration timeout) {
        return timeout.compareTo(Duration.ofDays(365 * 100)) > 0 ? TimeUnit.DAYS.toNanos(365 * 100) : timeout.toNanos();
    }

    static String human(Duration duration) {
        if (duration.compareTo(Duration.ofSeconds(1)) < 0) {
            return duration.toMillis() + "ms";
        }
        long seconds = duration.toSeconds();
        StringBuilder text = new StringBuilder();
        if (seconds >= 3600) {
            text.append(seconds / 3600).append('h');
        }
        if (seconds % 3600 >= 60) {
            text.append(seconds % 3600 / 60).append('m');
        }
        if (seconds % 60 > 0 || text.length() == 0) {
            text.append(seconds % 60).append('s');
        }
        return text.toString();
    }

    static String bytes(long bytes) {
        long mib = 1024 * 1024;
        if (bytes % (1024 * mib) == 0) {
            return bytes / (1024 * mib) + " GiB";
        }
        if (bytes % mib == 0) {
            return bytes / mib + " MiB";
        }
        return bytes + " bytes";
    }

    /** How the container ended: its exit code, and why when it did not end on its own or ran out of memory. */
    private record Outcome(int exitCode, Optional<String> reason) {}
}
