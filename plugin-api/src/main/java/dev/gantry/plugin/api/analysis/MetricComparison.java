package dev.gantry.plugin.api.analysis;

import java.util.Objects;

/**
 * Baseline and canary samples of one metric. {@code allowedChange} is the relative change tolerated in the bad
 * {@code direction} (0.10 = 10%); a {@code critical} metric that fails fails the whole analysis.
 */
public record MetricComparison(String metric, double[] baseline, double[] canary, Direction direction,
                               double allowedChange, boolean critical) {
    public MetricComparison {
        Objects.requireNonNull(metric, "metric is null");
        baseline = baseline.clone();
        canary = canary.clone();
        Objects.requireNonNull(direction, "direction is null");
    }

    @Override
    public double[] baseline() {
        return baseline.clone();
    }

    @Override
    public double[] canary() {
        return canary.clone();
    }

    public enum Direction {
        INCREASE_IS_BAD,
        DECREASE_IS_BAD
    }
}
