package dev.gantry.plugins.analyzer.mannwhitney;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.gantry.plugin.api.analysis.MetricComparison.Direction;
import java.util.SplittableRandom;
import org.apache.commons.math3.stat.inference.MannWhitneyUTest;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class TestRankSum {
    private static RankSum.Result test(double[] canary, double[] baseline, Direction direction, double allowedChange) {
        return RankSum.test(ValidSamples.continuous(canary.clone()), ValidSamples.continuous(baseline.clone()),
                direction, allowedChange);
    }

    @Test
    void aCanaryAboveEveryBaselineValueHasTheLargestUAndASmallP() {
        // n = m = 5, no ties: U = 25 (all 25 pairs), E = 12.5, sd = sqrt(5 * 5 * 11 / 12) = 4.78714;
        // z = (25 - 12.5 - 0.5) / 4.78714 = 2.50672, P(Z >= z) = 0.0060929 (Python: 0.5 * erfc(z / sqrt(2))).
        // The exact permutation p-value is 1 / C(10, 5) = 0.0039683: the normal tail is heavier, so it errs towards
        // not failing.
        RankSum.Result result = test(new double[] {6, 7, 8, 9, 10}, new double[] {1, 2, 3, 4, 5},
                Direction.INCREASE_IS_BAD, 0);

        assertThat(result.u()).isEqualTo(25);
        assertThat(result.meanU()).isEqualTo(12.5);
        assertThat(result.sdU()).isCloseTo(4.7871355, within(1e-6));
        assertThat(result.z()).isCloseTo(2.5067182, within(1e-6));
        assertThat(result.pValue()).isCloseTo(0.0060929, within(1e-7)).isGreaterThan(1.0 / 252);
    }

    @Test
    void tiesShareTheirAverageRankAndShrinkTheVariance() {
        // canary {2, 3, 3, 4}, baseline {1, 2, 3}. Pooled and sorted: 1b 2c 2b 3c 3c 3b 4c; mid-ranks 1, 2.5, 2.5,
        // 5, 5, 5, 7. Canary rank sum 2.5 + 5 + 5 + 7 = 19.5, U = 19.5 - 4 * 5 / 2 = 9.5 (counting pairs: 1.5 + 2.5
        // + 2.5 + 3). E = 6. Tie groups of 2 and 3: sum(t^3 - t) = 6 + 24 = 30;
        // var = 4 * 3 / 12 * (8 - 30 / (7 * 6)) = 7.285714, sd = 2.699206; z = (9.5 - 6 - 0.5) / 2.699206 = 1.111438;
        // P(Z >= z) = 0.1331900 (Python).
        RankSum.Result result = test(new double[] {4, 3, 2, 3}, new double[] {3, 1, 2}, Direction.INCREASE_IS_BAD, 0);

        assertThat(result.u()).isEqualTo(9.5);
        assertThat(result.sdU()).isCloseTo(2.6992062, within(1e-6));
        assertThat(result.z()).isCloseTo(1.1114379, within(1e-6));
        assertThat(result.pValue()).isCloseTo(0.1331900, within(1e-7));
    }

    @Test
    void agreesWithRanksFromNaturalRankingOnDataFullOfTies() {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 20; round++) {
            int nc = 50 + random.nextInt(500);
            int nb = 50 + random.nextInt(500);
            double[] canary = new double[nc];
            double[] baseline = new double[nb];
            // whole milliseconds, as many systems record them: most values tie with others
            for (int i = 0; i < nc; i++) {
                canary[i] = Math.rint(20 * Math.exp(0.5 * random.nextGaussian()) * 1.05);
            }
            for (int i = 0; i < nb; i++) {
                baseline[i] = Math.rint(20 * Math.exp(0.5 * random.nextGaussian()));
            }
            for (Direction direction : Direction.values()) {
                double allowed = round % 2 == 0 ? 0 : 0.10;
                RankSum.Result ours = test(canary, baseline, direction, allowed);
                LibraryRankSum.Result library = LibraryRankSum.test(canary, baseline, direction, allowed);

                assertThat(ours.u()).isCloseTo(library.u(), within(1e-6));
                assertThat(ours.pValue()).isCloseTo(library.pValue(), Offset.offset(1e-12 + 1e-9 * library.pValue()));
                assertThat(ours.canaryMedian()).isEqualTo(library.canaryMedian());
                assertThat(ours.baselineMedian()).isEqualTo(library.baselineMedian());
            }
        }
    }

    @Test
    void usesTheCanarysOwnUWhereCommonsMathReturnsTheLargerOne() {
        // MATH-1453: MannWhitneyUTest.mannWhitneyU is max(U1, U2) whichever sample is larger; with the canary
        // smaller its U is the smaller one, n_c n_b - max.
        double[] canary = {1, 2, 3, 4, 5, 6};
        double[] baseline = {3.5, 7, 8, 9};
        double libraryU = new MannWhitneyUTest().mannWhitneyU(canary, baseline);

        RankSum.Result result = test(canary, baseline, Direction.INCREASE_IS_BAD, 0);

        // canary above baseline: 4 > 3.5, 5 > 3.5, 6 > 3.5, so U = 3 and the larger one is 6 * 4 - 3 = 21
        assertThat(libraryU).isEqualTo(21);
        assertThat(result.u()).isEqualTo(3);
        assertThat(result.pValue()).isGreaterThan(0.9);
    }

    @Test
    void testsAgainstTheBaselineMovedByTheAllowedChangeInEitherDirection() {
        SplittableRandom random = new SplittableRandom(11);
        double[] baseline = new double[2000];
        double[] same = new double[2000];
        for (int i = 0; i < baseline.length; i++) {
            baseline[i] = 20 * Math.exp(0.5 * random.nextGaussian());
            same[i] = 20 * Math.exp(0.5 * random.nextGaussian());
        }
        // 20% slower fails against an allowed 10%; 5% slower is within it, and so is the same latency
        assertThat(test(scaled(same, 1.20), baseline, Direction.INCREASE_IS_BAD, 0.10).pValue()).isLessThan(1e-4);
        assertThat(test(scaled(same, 1.05), baseline, Direction.INCREASE_IS_BAD, 0.10).pValue()).isGreaterThan(0.5);
        assertThat(test(same, baseline, Direction.INCREASE_IS_BAD, 0.10).pValue()).isGreaterThan(0.99);
        // 5% slower is significant when nothing is allowed
        assertThat(test(scaled(same, 1.05), baseline, Direction.INCREASE_IS_BAD, 0).pValue()).isLessThan(0.05);
        // for a metric where lower is worse (throughput), the mirror image
        assertThat(test(scaled(same, 0.80), baseline, Direction.DECREASE_IS_BAD, 0.10).pValue()).isLessThan(1e-4);
        assertThat(test(scaled(same, 0.95), baseline, Direction.DECREASE_IS_BAD, 0.10).pValue()).isGreaterThan(0.5);
        assertThat(test(scaled(same, 1.15), baseline, Direction.DECREASE_IS_BAD, 0.10).pValue()).isGreaterThan(0.99);
    }

    @Test
    void reportsMediansAndTheirRelativeChange() {
        RankSum.Result result = test(new double[] {30, 31.2, 33, 40}, new double[] {20, 20.4, 21}, Direction.INCREASE_IS_BAD, 0);

        assertThat(result.canaryMedian()).isEqualTo(32.1);
        assertThat(result.baselineMedian()).isEqualTo(20.4);
        assertThat(result.effect()).isCloseTo(32.1 / 20.4 - 1, within(1e-12));
        assertThat(test(new double[] {1, 2}, new double[] {-1, 0, 1}, Direction.INCREASE_IS_BAD, 0).effect()).isNaN();
    }

    @Test
    void allValuesTiedIsNoEvidence() {
        RankSum.Result result = test(new double[] {5, 5, 5}, new double[] {5, 5}, Direction.INCREASE_IS_BAD, 0);

        assertThat(result.pValue()).isEqualTo(1);
    }

    private static double[] scaled(double[] values, double factor) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i] * factor;
        }
        return out;
    }
}
