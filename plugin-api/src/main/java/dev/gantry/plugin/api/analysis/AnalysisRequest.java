package dev.gantry.plugin.api.analysis;

import java.util.List;

/**
 * One look at one analyzed step. Looks repeat while the step holds, so the analyzer spends its false-alarm level
 * over them: {@code alpha} is the level for the whole step, {@code alphaSpent} what earlier looks of this step
 * already used, {@code progress} how far the step's planned window is (0 to 1). On the {@code finalLook} the analyzer
 * may spend all that is left and must say PASS, FAIL or INCONCLUSIVE for the step.
 */
public record AnalysisRequest(List<MetricComparison> metrics, double alpha, double alphaSpent, double progress,
                              boolean finalLook) {
    public AnalysisRequest {
        metrics = List.copyOf(metrics);
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be between 0 and 1, got " + alpha);
        }
        if (!(alphaSpent >= 0 && alphaSpent <= alpha)) {
            throw new IllegalArgumentException("alphaSpent must be between 0 and alpha, got " + alphaSpent);
        }
        if (!(progress >= 0 && progress <= 1)) {
            throw new IllegalArgumentException("progress must be between 0 and 1, got " + progress);
        }
    }
}
