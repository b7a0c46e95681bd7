package dev.gantry.plugin.api.metrics;

import java.time.Instant;

/** One observation; for an error metric, {@code value} is 1 for an error and 0 otherwise. */
public record Sample(Instant at, double value) {
}
