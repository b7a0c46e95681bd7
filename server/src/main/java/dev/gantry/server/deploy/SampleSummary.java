package dev.gantry.server.deploy;

import dev.gantry.plugin.api.analysis.MetricComparison;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an analysis report shows of one version's samples: counts, median, p50/p90/p99 and a histogram whose bins
 * are shared by canary and baseline, so the two can be drawn over each other. NaN and infinite samples are counted
 * as invalid and left out of the figures.
 */
final class SampleSummary {
    static final int BINS = 20;

    private SampleSummary() {
    }

    /** Both versions' summaries under {@code canary} and {@code baseline}, with the shared bin edges. */
    static Map<String, Object> compare(MetricComparison.Kind kind, double[] canary, double[] baseline) {
        double[] validCanary = valid(canary);
        double[] validBaseline = valid(baseline);
        Map<String, Object> summary = new LinkedHashMap<>();
        if (kind == MetricComparison.Kind.PROPORTION) {
            summary.put("canary", proportion(canary.length, validCanary));
            summary.put("baseline", proportion(baseline.length, validBaseline));
            return summary;
        }
        double low = Math.min(quantile(validCanary, 0), quantile(validBaseline, 0));
        double high = Math.max(quantile(validCanary, 0.995), quantile(validBaseline, 0.995));
        double[] edges = null;
        if (Double.isFinite(low) && Double.isFinite(high)) {
            edges = new double[BINS + 1];
            double width = high > low ? (high - low) / BINS : 1;
            for (int i = 0; i <= BINS; i++) {
                edges[i] = round(low + i * width);
            }
        }
        summary.put("bin_edges", edges);
        summary.put("canary", continuous(canary.length, validCanary, edges));
        summary.put("baseline", continuous(baseline.length, validBaseline, edges));
        return summary;
    }

    private static Map<String, Object> proportion(int total, double[] valid) {
        long errors = Arrays.stream(valid).filter(value -> value != 0).count();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("count", valid.length);
        summary.put("invalid", total - valid.length);
        summary.put("errors", errors);
        summary.put("rate", valid.length == 0 ? null : round((double) errors / valid.length));
        return summary;
    }

    private static Map<String, Object> continuous(int total, double[] sorted, double[] edges) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("count", sorted.length);
        summary.put("invalid", total - sorted.length);
        if (sorted.length > 0) {
            summary.put("mean", round(Arrays.stream(sorted).average().orElse(Double.NaN)));
            summary.put("median", round(quantile(sorted, 0.5)));
            summary.put("p50", round(quantile(sorted, 0.5)));
            summary.put("p90", round(quantile(sorted, 0.9)));
            summary.put("p99", round(quantile(sorted, 0.99)));
            summary.put("min", round(sorted[0]));
            summary.put("max", round(sorted[sorted.length - 1]));
        }
        if (edges != null) {
            long[] counts = new long[BINS];
            double width = edges[BINS] - edges[0];
            for (double value : sorted) {
                int bin = width <= 0 ? 0 : (int) ((value - edges[0]) / width * BINS);
                // values past the top edge (the last half percent) land in the last bin
                counts[Math.max(0, Math.min(BINS - 1, bin))]++;
            }
            summary.put("histogram", counts);
        }
        return summary;
    }

    private static double[] valid(double[] samples) {
        double[] valid = Arrays.stream(samples).filter(Double::isFinite).toArray();
        Arrays.sort(valid);
        return valid;
    }

    /** The nearest-rank quantile of sorted values; NaN when there are none. */
    private static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double round(double value) {
        return Double.isFinite(value) ? Math.round(value * 10_000) / 10_000.0 : value;
    }
}
