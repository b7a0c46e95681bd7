package dev.gantry.plugin.api.analysis;

import java.util.List;

/** The metrics to judge at one look ({@code look} counts from 1, so repeated looks can be corrected for). */
public record AnalysisRequest(List<MetricComparison> metrics, int look, int maxLooks) {
    public AnalysisRequest {
        metrics = List.copyOf(metrics);
    }
}
