package dev.gantry.plugins.analyzer.mannwhitney;

/**
 * One version's samples of one metric with the unusable ones dropped and counted: NaN and infinite values, and for
 * a proportion anything but 0 and 1. The valid values are {@code values[0, size)}; the array is the caller's copy and
 * is reordered in place.
 */
final class ValidSamples {
    final double[] values;
    final int size;
    final int invalid;
    /** For a proportion: how many valid samples are 1 (errors); 0 for a continuous metric. */
    final int ones;

    private ValidSamples(double[] values, int size, int invalid, int ones) {
        this.values = values;
        this.size = size;
        this.invalid = invalid;
        this.ones = ones;
    }

    /** Keeps the finite values, compacted to the front of {@code samples} (which it takes over). */
    static ValidSamples continuous(double[] samples) {
        int size = 0;
        for (double value : samples) {
            if (Double.isFinite(value)) {
                samples[size++] = value;
            }
        }
        return new ValidSamples(samples, size, samples.length - size, 0);
    }

    /** Counts the 0s and 1s; the values themselves are not kept. */
    static ValidSamples proportion(double[] samples) {
        int size = 0;
        int ones = 0;
        for (double value : samples) {
            if (value == 1) {
                ones++;
                size++;
            } else if (value == 0) {
                size++;
            }
        }
        return new ValidSamples(samples, size, samples.length - size, ones);
    }

    int total() {
        return size + invalid;
    }

    double invalidShare() {
        return total() == 0 ? 0 : (double) invalid / total();
    }
}
