package dev.gantry.plugins.analyzer.mannwhitney;

import dev.gantry.plugin.api.analysis.MetricComparison.Direction;
import java.util.Arrays;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.descriptive.rank.Median;
import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;

/**
 * The rank-sum statistic computed the straightforward way, from commons-math3's {@link NaturalRanking} of the pooled
 * values: an independent check of {@link RankSum}'s merge of sorted arrays in the tests, and the alternative the
 * speed benchmark measures it against.
 */
final class LibraryRankSum {
    private static final NaturalRanking RANKING = new NaturalRanking(NaNStrategy.FAILED, TiesStrategy.AVERAGE);

    record Result(double u, double tieSum, double pValue, double canaryMedian, double baselineMedian) {
    }

    private LibraryRankSum() {
    }

    static Result test(double[] canary, double[] baseline, Direction direction, double allowedChange) {
        double sign = direction == Direction.INCREASE_IS_BAD ? 1 : -1;
        int nc = canary.length;
        int nb = baseline.length;
        double[] pooled = new double[nc + nb];
        System.arraycopy(canary, 0, pooled, 0, nc);
        for (int i = 0; i < nb; i++) {
            pooled[nc + i] = baseline[i] + sign * allowedChange * Math.abs(baseline[i]);
        }
        double[] ranks = RANKING.rank(pooled);
        double canaryRankSum = 0;
        for (int i = 0; i < nc; i++) {
            canaryRankSum += ranks[i];
        }
        // tied values share one average rank, and different tie groups have different average ranks
        double[] sortedRanks = ranks.clone();
        Arrays.sort(sortedRanks);
        double tieSum = 0;
        for (int i = 0; i < sortedRanks.length; ) {
            int j = i;
            while (j < sortedRanks.length && sortedRanks[j] == sortedRanks[i]) {
                j++;
            }
            double t = j - i;
            tieSum += t * t * t - t;
            i = j;
        }
        double n = nc + nb;
        double u = canaryRankSum - (double) nc * (nc + 1) / 2;
        double mean = (double) nc * nb / 2;
        double sd = Math.sqrt((double) nc * nb / 12 * ((n + 1) - tieSum / (n * (n - 1))));
        double z = (sign * (u - mean) - 0.5) / sd;
        double p = new NormalDistribution(null, 0, 1).cumulativeProbability(-z);
        Median median = new Median();
        return new Result(u, tieSum, p, median.evaluate(canary), median.evaluate(baseline));
    }
}
