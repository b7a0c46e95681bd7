package dev.gantry.plugin.api.analysis;

import dev.gantry.plugin.api.metrics.SampleKind;
import java.util.Objects;

/**
 * Baseline and canary samples of one metric. A {@link Kind#PROPORTION} metric has samples of 0 or 1 (1 = an error);
 * a {@link Kind#CONTINUOUS} one has any values (latency in ms, a per-interval rate). {@code allowedChange} is the
 * relative change tolerated in the bad {@code direction} (0.10 = 10%); a {@code critical} metric that fails fails the
 * whole analysis. {@code sampleKind} says what one sample stands for, so the analyzer can demand enough of them.
 */
public record MetricComparison(String metric, Kind kind, SampleKind sampleKind, double[] baseline, double[] canary,
                               Direction direction, double allowedChange, boolean critical) {
    public MetricComparison {
        Objects.requireNonNull(metric, "metric is null");
        Objects.requireNonNull(kind, "kind is null");
        Objects.requireNonNull(sampleKind, "sampleKind is null");
        baseline = baseline.clone();
        canary = canary.clone();
        Objects.requireNonNull(direction, "direction is null");
        if (!(allowedChange >= 0)) {
            throw new IllegalArgumentException("allowedChange must be 0 or more, got " + allowedChange);
        }
    }

    @Override
    public double[] baseline() {
        return baseline.clone();
    }

    @Override
    public double[] canary() {
        return canary.clone();
    }

    public enum Kind {
        CONTINUOUS,
        PROPORTION
    }

    public enum Direction {
        INCREASE_IS_BAD,
        DECREASE_IS_BAD
    }
}
