package dev.gantry.plugins.analyzer.mannwhitney;

import dev.gantry.plugin.api.analysis.MetricComparison.Direction;
import org.apache.commons.math3.distribution.HypergeometricDistribution;

/**
 * One-sided tests that the canary's proportion of 1s (errors) is worse than the baseline's by more than the allowed
 * relative change: higher than {@code (1 + allowedChange)} times the baseline's for {@code INCREASE_IS_BAD}, lower
 * than {@code (1 - allowedChange)} times it for {@code DECREASE_IS_BAD}.
 *
 * <p>With no allowed change the test is Fisher's exact test: given the total count of 1s, the canary's count is
 * hypergeometric when both versions share one proportion, and the p-value is that distribution's tail at the
 * observed count. It is exact for any sample size (conservative, being discrete), which matters for rare errors.
 *
 * <p>With an allowed change, {@code theta} (the ratio of proportions at the null's boundary) is not 1, and
 * conditioning on the total no longer removes the unknown common proportion, so the test is a large-sample one: the
 * Miettinen–Nurminen score test for a ratio of proportions, the z score of {@code p_c - theta p_b} with its variance
 * taken at the maximum-likelihood proportions under {@code p_c = theta p_b} and multiplied by {@code N / (N - 1)}.
 * It is the usual test of a risk ratio against a margin, its level holds well down to moderate numbers of events, and
 * unlike a Wald test on the log ratio it is defined when a version has no 1s at all.
 */
final class Proportions {
    private Proportions() {
    }

    /** The one-sided p-value for harm; 1 when neither version has a 1 (nothing to compare). */
    static double pValue(int canaryOnes, int canarySize, int baselineOnes, int baselineSize, Direction direction,
                         double allowedChange) {
        if (canaryOnes < 0 || canaryOnes > canarySize || baselineOnes < 0 || baselineOnes > baselineSize
                || canarySize < 1 || baselineSize < 1) {
            throw new IllegalArgumentException("counts out of range");
        }
        if (canaryOnes + baselineOnes == 0) {
            return 1;
        }
        boolean increaseIsBad = direction == Direction.INCREASE_IS_BAD;
        if (allowedChange == 0) {
            return fisher(canaryOnes, canarySize, baselineOnes, baselineSize, increaseIsBad);
        }
        double theta = increaseIsBad ? 1 + allowedChange : 1 - allowedChange;
        if (theta <= 0) {
            return 1; // a drop of 100% or more is allowed: no proportion is below that
        }
        double z = scoreZ(canaryOnes, canarySize, baselineOnes, baselineSize, theta);
        return increaseIsBad ? RankSum.upperTail(z) : RankSum.lowerTail(z);
    }

    /** Fisher's exact test, one-sided: P(X >= canaryOnes), or P(X <= canaryOnes) when a decrease is bad. */
    static double fisher(int canaryOnes, int canarySize, int baselineOnes, int baselineSize, boolean increaseIsBad) {
        int ones = canaryOnes + baselineOnes;
        if (ones == 0) {
            return 1;
        }
        // no random generator: only the distribution's probabilities are used
        HypergeometricDistribution counts =
                new HypergeometricDistribution(null, canarySize + baselineSize, ones, canarySize);
        double p = increaseIsBad ? counts.upperCumulativeProbability(canaryOnes) : counts.cumulativeProbability(canaryOnes);
        return Math.min(1, p);
    }

    /**
     * The Miettinen–Nurminen z score of {@code p_c - theta p_b}; positive when the canary's proportion is above
     * {@code theta} times the baseline's.
     */
    static double scoreZ(int canaryOnes, int canarySize, int baselineOnes, int baselineSize, double theta) {
        double x1 = canaryOnes;
        double n1 = canarySize;
        double x2 = baselineOnes;
        double n2 = baselineSize;
        double n = n1 + n2;
        // Under p_c = theta p_b the log-likelihood's derivative in p_b vanishes where
        //   A p^2 + B p + C = 0, A = n theta, B = -(n1 theta + x1 + n2 + x2 theta), C = x1 + x2
        // (multiply the derivative by p (1 - theta p)(1 - p) and collect powers of p); the smaller root is the one in
        // [0, min(1, 1/theta)]. Written as 2C / (-B + sqrt(disc)) it loses no digits when 4AC is small against B^2.
        double a = n * theta;
        double b = -(n1 * theta + x1 + n2 + x2 * theta);
        double c = x1 + x2;
        double disc = Math.max(0, b * b - 4 * a * c);
        double p2 = c == 0 ? 0 : 2 * c / (-b + Math.sqrt(disc));
        double p1 = theta * p2;
        double variance = (p1 * (1 - p1) / n1 + theta * theta * p2 * (1 - p2) / n2) * n / (n - 1);
        double difference = x1 / n1 - theta * x2 / n2;
        if (!(variance > 0)) {
            // only when neither version has a 1 (then the difference is 0 too): no evidence either way
            return difference > 0 ? Double.POSITIVE_INFINITY : difference < 0 ? Double.NEGATIVE_INFINITY : 0;
        }
        return difference / Math.sqrt(variance);
    }
}
