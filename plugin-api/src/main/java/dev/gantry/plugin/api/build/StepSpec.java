package dev.gantry.plugin.api.build;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One step: {@code command} runs in {@code workspace} (writable) with {@code readOnlyMounts} visible; only a
 * dependency-fetch step gets {@code network}.
 */
public record StepSpec(
        String name,
        List<String> command,
        Path workspace,
        Map<String, String> environment,
        List<Path> readOnlyMounts,
        Duration timeout,
        boolean network) {
    public StepSpec {
        Objects.requireNonNull(name, "name is null");
        command = List.copyOf(command);
        Objects.requireNonNull(workspace, "workspace is null");
        environment = Map.copyOf(environment);
        readOnlyMounts = List.copyOf(readOnlyMounts);
        Objects.requireNonNull(timeout, "timeout is null");
    }
}
