package dev.gantry.plugins.analyzer.mannwhitney;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.gantry.plugin.api.analysis.MetricComparison.Direction;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TestProportions {
    @Test
    void fishersExactTestIsTheHypergeometricTail() {
        // canary 6 errors of 10, baseline 1 of 10: 7 errors among 20 requests; the canary's count is hypergeometric
        // (N = 20, K = 7, n = 10) and P(X >= 6) = (C(7,6) C(13,4) + C(7,7) C(13,3)) / C(20,10)
        // = (7 * 715 + 286) / 184756 = 5291 / 184756 = 0.0286378
        double p = Proportions.pValue(6, 10, 1, 10, Direction.INCREASE_IS_BAD, 0);

        assertThat(p).isCloseTo(5291.0 / 184756, within(1e-12));
    }

    @Test
    void fishersExactTestForALowerProportionIsTheLowerTail() {
        // the mirror image: P(X <= 1) = (C(7,0) C(13,10) + C(7,1) C(13,9)) / C(20,10) = (286 + 5005) / 184756
        double p = Proportions.pValue(1, 10, 6, 10, Direction.DECREASE_IS_BAD, 0);

        assertThat(p).isCloseTo(5291.0 / 184756, within(1e-12));
    }

    @Test
    void noErrorsOnEitherSideIsAPassWithPOne() {
        assertThat(Proportions.pValue(0, 9000, 0, 9000, Direction.INCREASE_IS_BAD, 0)).isEqualTo(1);
        assertThat(Proportions.pValue(0, 9000, 0, 9000, Direction.INCREASE_IS_BAD, 0.2)).isEqualTo(1);
        assertThat(Proportions.pValue(0, 9000, 0, 9000, Direction.DECREASE_IS_BAD, 0.2)).isEqualTo(1);
    }

    @Test
    void fewerCanaryErrorsThanBaselineErrorsIsNoEvidenceOfHarm() {
        assertThat(Proportions.pValue(0, 1000, 12, 1000, Direction.INCREASE_IS_BAD, 0)).isEqualTo(1);
        assertThat(Proportions.pValue(3, 1000, 12, 1000, Direction.INCREASE_IS_BAD, 0)).isGreaterThan(0.99);
    }

    @Test
    void theScoreTestTakesTheVarianceAtTheConstrainedMaximumLikelihood() {
        // Independent check (Python): maximise x1 log(theta p) + (n1 - x1) log(1 - theta p) + x2 log p
        // + (n2 - x2) log(1 - p) over p by golden-section search instead of the closed form, then
        // z = (x1/n1 - theta x2/n2) / sqrt((p1(1-p1)/n1 + theta^2 p(1-p)/n2) N/(N-1)):
        //   30 of 1000 vs 20 of 1000, theta 1.2: p = 0.0227331, z = 0.784088
        //   60 of 2000 vs 15 of 1000, theta 1.2: p = 0.0220682, z = 1.809441, P(Z >= z) = 0.0351913
        assertThat(Proportions.scoreZ(30, 1000, 20, 1000, 1.2)).isCloseTo(0.7840882, within(1e-6));
        assertThat(Proportions.scoreZ(60, 2000, 15, 1000, 1.2)).isCloseTo(1.8094409, within(1e-6));
        assertThat(Proportions.pValue(60, 2000, 15, 1000, Direction.INCREASE_IS_BAD, 0.2)).isCloseTo(0.0351913, within(1e-6));
    }

    @Test
    void theScoreTestWithThetaOneUsesThePooledProportion() {
        // with theta = 1 the constrained estimate is the pooled (30 + 20) / 2000 = 0.025:
        // z = (0.03 - 0.02) / sqrt(2 * 0.025 * 0.975 / 1000 * 2000 / 1999) = 1.431486
        assertThat(Proportions.scoreZ(30, 1000, 20, 1000, 1)).isCloseTo(0.01 / Math.sqrt(2 * 0.025 * 0.975 / 1000 * 2000 / 1999),
                within(1e-9));
    }

    @Test
    void theScoreTestHoldsItsLevelAtTheMargin() {
        // the canary's error rate exactly 1.2 times the baseline's, the margin allowed: at level 0.05 the test may
        // reject in at most about 5% of 4,000 trials (one binomial standard error is 0.34%)
        SplittableRandom random = new SplittableRandom(42);
        int trials = 4000;
        int rejected = 0;
        for (int trial = 0; trial < trials; trial++) {
            int canary = binomial(random, 3000, 0.012);
            int baseline = binomial(random, 3000, 0.010);
            if (Proportions.pValue(canary, 3000, baseline, 3000, Direction.INCREASE_IS_BAD, 0.2) < 0.05) {
                rejected++;
            }
        }
        assertThat((double) rejected / trials).isLessThan(0.06);
    }

    @Test
    void theScoreTestDetectsAnErrorRateWellBeyondAnAllowed20Percent() {
        assertThat(Proportions.pValue(75, 3000, 30, 3000, Direction.INCREASE_IS_BAD, 0.2)).isLessThan(0.01);
        assertThat(Proportions.pValue(10, 3000, 40, 3000, Direction.DECREASE_IS_BAD, 0.2)).isLessThan(0.01);
        assertThat(Proportions.pValue(30, 3000, 30, 3000, Direction.DECREASE_IS_BAD, 0.2)).isGreaterThan(0.5);
    }

    private static int binomial(SplittableRandom random, int n, double p) {
        int ones = 0;
        for (int i = 0; i < n; i++) {
            if (random.nextDouble() < p) {
                ones++;
            }
        }
        return ones;
    }
}
