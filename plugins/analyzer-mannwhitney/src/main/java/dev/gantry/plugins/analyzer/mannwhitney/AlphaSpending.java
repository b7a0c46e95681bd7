package dev.gantry.plugins.analyzer.mannwhitney;

/**
 * How much of a step's false-alarm level {@code alpha} a look may spend: by the time the step is {@code t} of the way
 * through its window, looks may have spent {@code alpha * t^3} in total, and the final look spends whatever is left.
 *
 * <p>Each look's share is tested on its own (Bonferroni over the looks, and over the metrics within a look), so the
 * chance that any look of the step raises a false alarm is at most the sum of the shares, which never exceeds
 * {@code alpha}, however the looks are correlated (they share most of their samples). The cubic is the power family
 * {@code t^rho} with {@code rho = 3}, which Jennison and Turnbull note comes close to O'Brien–Fleming boundaries: it
 * spends little early, where a look has few samples and so little power per unit of level, and keeps the most for
 * the final look, which has all of them (1 − 0.8³ = 0.488 of {@code alpha} with the default five looks), while the
 * first look still gets {@code 0.008 alpha} and the second {@code 0.056 alpha}, so a clear regression is stopped a
 * minute or two in. Lan–DeMets' O'Brien–Fleming form would give the final look 0.71 of {@code alpha = 0.0025} (a
 * z threshold of 3.13 instead of 3.23 per metric) but the first look about 1e-11 and the first two 2e-6 in all,
 * so only a gross regression would be stopped before the last minutes of the hold.
 */
final class AlphaSpending {
    private AlphaSpending() {
    }

    /** What looks may have spent in total by {@code progress} (0 to 1) through the step. */
    static double cumulative(double alpha, double progress) {
        double t = Math.min(1, Math.max(0, progress));
        return alpha * t * t * t;
    }

    /**
     * This look's level, all metrics together: the spending function's allowance less what earlier looks spent, or
     * everything left on the final look; never so much that {@code alphaSpent + level} exceeds {@code alpha}, even by
     * rounding, so the caller can add it up and pass the sum back.
     */
    static double lookLevel(double alpha, double alphaSpent, double progress, boolean finalLook) {
        double allowance = finalLook ? alpha : cumulative(alpha, progress);
        double level = Math.max(0, allowance - alphaSpent);
        while (level > 0 && alphaSpent + level > alpha) {
            level = Math.nextDown(level);
        }
        return level;
    }
}
