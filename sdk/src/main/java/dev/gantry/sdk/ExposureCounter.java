package dev.gantry.sdk;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one flag served since the last report: evaluations per variant, and the distinct user ids among them as a
 * HyperLogLog of 1,024 one-byte registers, so memory stays at about 1 KB per flag however many users there are (the
 * estimate's standard error is 1.04/√1024 ≈ 3.3 %; small counts are near exact). Recording allocates nothing and
 * takes no lock; the registers are written without synchronisation, and a race between two writers or with a
 * report loses at most a register update, which only makes the estimate a little lower.
 */
final class ExposureCounter {
    private static final int INDEX_BITS = 10;
    private static final int REGISTERS = 1 << INDEX_BITS;

    final String flagKey;
    private final ConcurrentHashMap<String, LongAdder> variants = new ConcurrentHashMap<>();
    private final byte[] registers = new byte[REGISTERS];

    ExposureCounter(String flagKey) {
        this.flagKey = flagKey;
    }

    /** The counter of a variant, made once when a snapshot is compiled. */
    LongAdder variant(String variantKey) {
        return variants.computeIfAbsent(variantKey, k -> new LongAdder());
    }

    /** Notes a user by the murmur3 hash of its id. */
    void user(int hash) {
        int index = hash >>> (32 - INDEX_BITS);
        int rank = Integer.numberOfLeadingZeros((hash << INDEX_BITS) | (1 << (INDEX_BITS - 1))) + 1;
        if (rank > registers[index]) {
            registers[index] = (byte) rank;
        }
    }

    /** Evaluations per variant since the last drain (variants with none left out), and resets them. */
    Map<String, Long> drainVariants() {
        LinkedHashMap<String, Long> counts = new LinkedHashMap<>();
        variants.forEach((key, adder) -> {
            long n = adder.sumThenReset();
            if (n > 0) {
                counts.put(key, n);
            }
        });
        return counts;
    }

    /** The estimated number of distinct users since the last drain, and resets the registers. */
    long drainUsers() {
        double sum = 0;
        int zeros = 0;
        for (int i = 0; i < REGISTERS; i++) {
            int r = registers[i];
            registers[i] = 0;
            sum += 1.0 / (1L << r);
            if (r == 0) {
                zeros++;
            }
        }
        double m = REGISTERS;
        double estimate = 0.7213 / (1 + 1.079 / m) * m * m / sum;
        if (estimate <= 2.5 * m && zeros > 0) {
            // linear counting, exact enough for the small counts most flags see
            estimate = m * Math.log(m / zeros);
        }
        return Math.round(estimate);
    }
}
