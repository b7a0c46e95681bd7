package dev.gantry.server.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/** A named group of steps that run in order in one workspace. */
public record Stage(String name, StageKind kind, Optional<When> when, List<Step> steps) {
    public Stage {
        requireNonNull(name, "name is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(when, "when is null");
        steps = List.copyOf(requireNonNull(steps, "steps is null"));
    }

    /** Whether a build of {@code branch} runs this stage: always, unless {@code when} restricts it. */
    public boolean runsOn(String branch) {
        requireNonNull(branch, "branch is null");
        return when.map(condition -> condition.matches(branch)).orElse(true);
    }
}
