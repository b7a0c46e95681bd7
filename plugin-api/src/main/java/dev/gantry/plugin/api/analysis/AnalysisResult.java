package dev.gantry.plugin.api.analysis;

import java.util.List;
import java.util.Objects;

/** The verdict with its score (share of metrics passing) and, per metric, why. */
public record AnalysisResult(Verdict verdict, double score, List<MetricResult> metrics, String explanation) {
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

    public record MetricResult(String metric, Verdict verdict, double pValue, String explanation) {
    }
}
