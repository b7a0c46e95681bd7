package dev.gantry.plugin.api.build;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One step of a build. {@code command} runs with the host directory {@code workspace} as its writable working
 * directory, seen inside the isolation as {@link #WORKSPACE}; nothing else of the host is writable, and only what
 * {@code mounts} names is visible besides the builder's own read-only toolchain or image. Only a step with
 * {@code network} (the dependency fetch) may reach the network. {@code environment} is all the step's environment
 * (the builder adds nothing of the host's, apart from a sane {@code PATH} and {@code HOME} when absent).
 *
 * @param image the image to run in, for builders that run images (e.g. {@code docker}); others ignore it
 */
public record StepSpec(
        String name,
        List<String> command,
        Path workspace,
        Map<String, String> environment,
        List<Mount> mounts,
        Duration timeout,
        boolean network,
        Optional<String> image,
        ResourceLimits limits) {
    /** Where {@code workspace} appears inside the isolation, and the step's working directory. */
    public static final String WORKSPACE = "/workspace";

    public StepSpec {
        Objects.requireNonNull(name, "name is null");
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command is empty");
        }
        Objects.requireNonNull(workspace, "workspace is null");
        environment = Map.copyOf(environment);
        mounts = List.copyOf(mounts);
        Objects.requireNonNull(timeout, "timeout is null");
        Objects.requireNonNull(image, "image is null");
        Objects.requireNonNull(limits, "limits is null");
    }

    /** A host directory made visible inside the isolation at {@code target} (an absolute path). */
    public record Mount(Path source, String target, boolean writable) {
        public Mount {
            Objects.requireNonNull(source, "source is null");
            Objects.requireNonNull(target, "target is null");
            if (!target.startsWith("/")) {
                throw new IllegalArgumentException("mount target must be an absolute path: " + target);
            }
        }
    }

    /** What one step may use: memory in bytes, processes (and threads), CPUs. */
    public record ResourceLimits(long memoryBytes, int maxProcesses, double cpus) {
        public static final ResourceLimits DEFAULT = new ResourceLimits(2L * 1024 * 1024 * 1024, 512, 2.0);

        public ResourceLimits {
            if (memoryBytes <= 0 || maxProcesses <= 0 || cpus <= 0) {
                throw new IllegalArgumentException("limits must be positive");
            }
        }
    }
}
