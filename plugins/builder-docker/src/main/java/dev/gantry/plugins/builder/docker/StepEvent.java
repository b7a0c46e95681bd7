package dev.gantry.plugins.builder.docker;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/** What the engine's streams report to the thread that runs a step, in the order they happened. */
sealed interface StepEvent {
    /** Lines the step printed, in order. */
    record Lines(List<String> lines) implements StepEvent {
        public Lines {
            lines = List.copyOf(lines);
        }
    }

    /** The container's output ended: it exited, or the stream to the engine broke ({@code failure}). */
    record OutputEnded(Optional<Throwable> failure) implements StepEvent {
        public OutputEnded {
            requireNonNull(failure, "failure is null");
        }
    }

    /** The container's main process ended with {@code code}. */
    record Exited(int code) implements StepEvent {}

    /** The engine could not say how the container ended. */
    record ExitUnknown(Throwable failure) implements StepEvent {
        public ExitUnknown {
            requireNonNull(failure, "failure is null");
        }
    }
}
