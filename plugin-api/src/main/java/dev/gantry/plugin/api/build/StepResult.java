package dev.gantry.plugin.api.build;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** How a step ended: its exit code, and a reason when it did not run to its own end (timeout, cancelled). */
public record StepResult(int exitCode, Duration duration, Optional<String> failureReason) {
    public StepResult {
        Objects.requireNonNull(duration, "duration is null");
        Objects.requireNonNull(failureReason, "failureReason is null");
    }

    public boolean succeeded() {
        return exitCode == 0 && failureReason.isEmpty();
    }
}
