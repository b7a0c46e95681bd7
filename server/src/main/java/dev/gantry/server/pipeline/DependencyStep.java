package dev.gantry.server.pipeline;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The one step that may reach the network. Its output directory ({@code /deps}) is cached under a key made from the
 * contents of {@code lockFiles}, and mounted read-only into every later step.
 */
public record DependencyStep(
        List<String> lockFiles,
        List<String> command,
        @JsonSerialize(using = Durations.JsonWriter.class) @JsonDeserialize(using = Durations.JsonReader.class) Duration timeout,
        Map<String, String> env) {

    public DependencyStep {
        lockFiles = List.copyOf(requireNonNull(lockFiles, "lockFiles is null"));
        command = List.copyOf(requireNonNull(command, "command is null"));
        requireNonNull(timeout, "timeout is null");
        env = Copies.map(env, "env");
    }
}
