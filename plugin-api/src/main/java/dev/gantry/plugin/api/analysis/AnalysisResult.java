package dev.gantry.plugin.api.analysis;

import java.util.List;
import java.util.Objects;

/**
 * The verdict of one look with its score (share of metrics passing), the level this look spent ({@code 0} when it
 * could not test, e.g. too few samples) and, per metric, why. Before the final look, PASS means "no harm found yet".
 */
public record AnalysisResult(Verdict verdict, double score, double alphaSpent, List<MetricResult> metrics,
                             String explanation) {
    public AnalysisResult {
        Objects.requireNonNull(verdict, "verdict is null");
        metrics = List.copyOf(metrics);
        Objects.requireNonNull(explanation, "explanation is null");
    }

    public enum Verdict {
        PASS,
        FAIL,
        INCONCLUSIVE
    }

    /**
     * One metric's outcome: {@code pValue} of the one-sided test for harm (NaN when not tested), {@code effect} the
     * canary's relative change against the baseline (0.2 = 20% higher; NaN when unknown) and {@code level} the
     * significance level this look tested it at.
     */
    public record MetricResult(String metric, Verdict verdict, double pValue, double effect, double level,
                               String explanation) {
        public MetricResult {
            Objects.requireNonNull(metric, "metric is null");
            Objects.requireNonNull(verdict, "verdict is null");
            Objects.requireNonNull(explanation, "explanation is null");
        }
    }
}
