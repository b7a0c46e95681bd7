package dev.gantry.server.pipeline;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** One command of a stage. {@code command} is an argv: a {@code run} string becomes {@code ["sh", "-c", run]}. */
public record Step(
        String name,
        List<String> command,
        @JsonSerialize(using = Durations.JsonWriter.class) @JsonDeserialize(using = Durations.JsonReader.class) Duration timeout,
        Map<String, String> env) {

    public Step {
        requireNonNull(name, "name is null");
        command = List.copyOf(requireNonNull(command, "command is null"));
        requireNonNull(timeout, "timeout is null");
        env = Copies.map(env, "env");
    }
}
