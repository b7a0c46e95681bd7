package dev.gantry.plugins.analyzer.mannwhitney;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.metrics.SampleKind;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The analyzer's settings ({@code plugin.analyzer-mannwhitney.<key>}), checked when the plugin starts so a typo or a
 * value out of range is reported then, naming the key.
 *
 * @param minSamplesPerRequest valid samples each version needs of a {@link SampleKind#PER_REQUEST} metric before a
 *     look tests anything
 * @param minSamplesPerInterval the same for a {@link SampleKind#PER_INTERVAL} metric (one sample per interval)
 * @param passScore the score (share of metrics that pass, 0–100) the final look needs to pass
 * @param marginalScore below this score any look fails
 * @param maxInvalidShare the share of a version's samples that may be NaN or infinite (or, for a proportion, other
 *     than 0 and 1) before the metric is judged untrustworthy and INCONCLUSIVE
 */
record MannWhitneyConfig(int minSamplesPerRequest, int minSamplesPerInterval, double passScore, double marginalScore,
                         double maxInvalidShare) {
    static final String PREFIX = "plugin.analyzer-mannwhitney.";
    static final int DEFAULT_MIN_SAMPLES_PER_REQUEST = 100;
    static final int DEFAULT_MIN_SAMPLES_PER_INTERVAL = 10;
    static final double DEFAULT_PASS_SCORE = 95;
    static final double DEFAULT_MARGINAL_SCORE = 75;
    static final double DEFAULT_MAX_INVALID_SHARE = 0.01;
    static final MannWhitneyConfig DEFAULTS = new MannWhitneyConfig(DEFAULT_MIN_SAMPLES_PER_REQUEST,
            DEFAULT_MIN_SAMPLES_PER_INTERVAL, DEFAULT_PASS_SCORE, DEFAULT_MARGINAL_SCORE, DEFAULT_MAX_INVALID_SHARE);
    private static final Set<String> KEYS = Set.of("min-samples-per-request", "min-samples-per-interval",
            "pass-score", "marginal-score", "max-invalid-share");

    MannWhitneyConfig {
        if (minSamplesPerRequest < 1 || minSamplesPerInterval < 1) {
            throw new IllegalArgumentException("minimum sample counts must be at least 1");
        }
        if (!(marginalScore >= 0 && marginalScore <= passScore && passScore <= 100)) {
            throw new IllegalArgumentException("scores must satisfy 0 <= marginal <= pass <= 100");
        }
        if (!(maxInvalidShare >= 0 && maxInvalidShare < 1)) {
            throw new IllegalArgumentException("maxInvalidShare must be in [0, 1)");
        }
    }

    static MannWhitneyConfig from(PluginConfig config) {
        requireNonNull(config, "config is null");
        Set<String> unknown = new TreeSet<>(config.values().keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown setting " + PREFIX + unknown.iterator().next()
                    + "; the Mann-Whitney analyzer reads " + PREFIX + "{" + String.join(", ", new TreeSet<>(KEYS)) + "}");
        }
        int perRequest = count(config, "min-samples-per-request", DEFAULT_MIN_SAMPLES_PER_REQUEST);
        int perInterval = count(config, "min-samples-per-interval", DEFAULT_MIN_SAMPLES_PER_INTERVAL);
        double pass = score(config, "pass-score", DEFAULT_PASS_SCORE);
        double marginal = score(config, "marginal-score", DEFAULT_MARGINAL_SCORE);
        if (marginal > pass) {
            throw new IllegalArgumentException(PREFIX + "marginal-score (" + plain(marginal) + ") must not be above "
                    + PREFIX + "pass-score (" + plain(pass) + "): a look scoring below the marginal score fails, "
                    + "the final look needs the pass score to pass");
        }
        double invalid = share(config, "max-invalid-share", DEFAULT_MAX_INVALID_SHARE);
        return new MannWhitneyConfig(perRequest, perInterval, pass, marginal, invalid);
    }

    int minSamples(SampleKind kind) {
        return switch (kind) {
            case PER_REQUEST -> minSamplesPerRequest;
            case PER_INTERVAL -> minSamplesPerInterval;
        };
    }

    private static Optional<String> value(PluginConfig config, String key) {
        return config.get(key).map(String::trim).filter(value -> !value.isEmpty());
    }

    private static int count(PluginConfig config, String key, int fallback) {
        Optional<String> text = value(config, key);
        if (text.isEmpty()) {
            return fallback;
        }
        int count;
        try {
            count = Integer.parseInt(text.get());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PREFIX + key + " must be a whole number of samples, got '" + text.get() + "'");
        }
        if (count < 1) {
            throw new IllegalArgumentException(PREFIX + key + " must be at least 1, got '" + text.get() + "'");
        }
        return count;
    }

    private static double score(PluginConfig config, String key, double fallback) {
        Optional<String> text = value(config, key);
        if (text.isEmpty()) {
            return fallback;
        }
        double score = number(key, text.get(), "a score from 0 to 100");
        if (!(score >= 0 && score <= 100)) {
            throw new IllegalArgumentException(PREFIX + key + " must be a score from 0 to 100, got '" + text.get() + "'");
        }
        return score;
    }

    private static double share(PluginConfig config, String key, double fallback) {
        Optional<String> text = value(config, key);
        if (text.isEmpty()) {
            return fallback;
        }
        double share = number(key, text.get(), "a share such as 0.01 (1%)");
        if (!(share >= 0 && share < 1)) {
            throw new IllegalArgumentException(PREFIX + key + " must be at least 0 and below 1, got '" + text.get() + "'");
        }
        return share;
    }

    private static double number(String key, String text, String what) {
        try {
            double value = Double.parseDouble(text);
            if (Double.isFinite(value)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(PREFIX + key + " must be " + what + ", got '" + text + "'");
    }

    private static String plain(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
