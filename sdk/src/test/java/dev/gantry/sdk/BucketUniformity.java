package dev.gantry.sdk;

import java.util.Locale;
import java.util.Random;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;

/**
 * Prints how uniform docs/flags.md's bucketing is over USERS user ids (default 1,000,000), run by
 * scripts/bench-flags-uniformity:
 * <ul>
 *   <li>the 100 percent buckets ({@code bucket mod 10000} / 100) of a flag: Pearson's chi-square against equal
 *       counts, 99 degrees of freedom, and the 10,000 hundredth-of-a-percent buckets, 9,999;</li>
 *   <li>1 %, 10 % and 50 % rollouts, evaluated through {@link GantryFlags#isEnabled}: the share in, and the
 *       chi-square of in/out against p/(1 − p), 1 degree of freedom;</li>
 *   <li>the split bucket ({@code flagKey:variant:userId} mod 100) over 100 cells;</li>
 *   <li>independence of two flags: the 2 × 2 table of being in the 10 % of flag A and in the 10 % of flag B,
 *       against the product of the margins (1 degree of freedom); with {@code userId % 100} every flag would take
 *       the same users and this would be 10 %, not 1 %.</li>
 * </ul>
 * Each for two kinds of ids: sequential ({@code user-0}, {@code user-1}, …), the hardest case for a weak hash, and
 * random UUIDs from a seeded generator. A p-value is the chance of a chi-square at least this large if the buckets were
 * truly uniform (or independent): values spread over 0–1 are what a uniform hash gives; values near 0 would show
 * bias.
 */
public final class BucketUniformity {
    private BucketUniformity() {
    }

    public static void main(String[] args) {
        int users = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 20261125L;
        String flagKey = "new-checkout";
        System.out.printf(Locale.ROOT, "%,d user ids per kind, flag key %s, seed %d%n%n", users, flagKey, seed);
        System.out.println("| ids | test | cells | df | chi-square | p-value | detail |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String kind : new String[] {"sequential", "uuid"}) {
            String[] ids = ids(kind, users, seed);
            buckets(kind, flagKey, ids);
            rollouts(kind, flagKey, ids);
            split(kind, flagKey, ids);
            independence(kind, ids);
        }
    }

    private static String[] ids(String kind, int users, long seed) {
        String[] ids = new String[users];
        Random random = new Random(seed);
        for (int i = 0; i < users; i++) {
            ids[i] = kind.equals("sequential") ? "user-" + i
                    : new java.util.UUID(random.nextLong() & ~0xf000L | 0x4000L,
                            random.nextLong() & 0x3fffffffffffffffL | 0x8000000000000000L).toString();
        }
        return ids;
    }

    private static void buckets(String kind, String flagKey, String[] ids) {
        long[] percent = new long[100];
        long[] hundredths = new long[10_000];
        Murmur3.Prefix prefix = Murmur3.prefix(flagKey + ":");
        for (String id : ids) {
            int bucket = Integer.remainderUnsigned(Murmur3.hash(prefix, id), 10_000);
            hundredths[bucket]++;
            percent[bucket / 100]++;
        }
        row(kind, "percent buckets (bucket mod 10000 / 100)", percent, ids.length, minMax(percent));
        row(kind, "hundredth-of-a-percent buckets (bucket mod 10000)", hundredths, ids.length, minMax(hundredths));
    }

    private static void rollouts(String kind, String flagKey, String[] ids) {
        for (double p : new double[] {1, 10, 50}) {
            String flag = TestFlagServer.flag(flagKey, 1, true, "[{\"rollout\": " + p + ", \"serve\": {\"variant\": \"on\"}}]");
            try (GantryFlags client = GantryFlags.offline("production")
                    .bootstrap("{\"environment\": \"production\", \"flags\": [" + flag + "]}").build()) {
                long in = 0;
                for (String id : ids) {
                    if (client.isEnabled(flagKey, FlagContext.of(id), false)) {
                        in++;
                    }
                }
                double n = ids.length;
                double expectedIn = n * p / 100;
                double chi = sq(in - expectedIn) / expectedIn + sq((n - in) - (n - expectedIn)) / (n - expectedIn);
                print(kind, String.format(Locale.ROOT, "%.0f %% rollout (through isEnabled)", p), 2, 1, chi,
                        String.format(Locale.ROOT, "%,d in = %.4f %% (expected %,.0f)", in, 100.0 * in / n, expectedIn));
            }
        }
    }

    private static void split(String kind, String flagKey, String[] ids) {
        long[] cells = new long[100];
        Murmur3.Prefix prefix = Murmur3.prefix(flagKey + ":variant:");
        for (String id : ids) {
            cells[Integer.remainderUnsigned(Murmur3.hash(prefix, id), 100)]++;
        }
        row(kind, "split buckets (flagKey:variant:userId mod 100)", cells, ids.length, minMax(cells));
    }

    private static void independence(String kind, String[] ids) {
        Murmur3.Prefix a = Murmur3.prefix("flag-a:");
        Murmur3.Prefix b = Murmur3.prefix("flag-b:");
        long[][] table = new long[2][2];
        for (String id : ids) {
            int inA = Integer.remainderUnsigned(Murmur3.hash(a, id), 10_000) < 1000 ? 1 : 0;
            int inB = Integer.remainderUnsigned(Murmur3.hash(b, id), 10_000) < 1000 ? 1 : 0;
            table[inA][inB]++;
        }
        double n = ids.length;
        double chi = 0;
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                double expected = (table[i][0] + table[i][1]) * (table[0][j] + table[1][j]) / n;
                chi += sq(table[i][j] - expected) / expected;
            }
        }
        print(kind, "flag-a 10 % × flag-b 10 % (independence)", 4, 1, chi, String.format(Locale.ROOT,
                "in both: %,d = %.3f %% of users (independent: %.3f %%)", table[1][1], 100.0 * table[1][1] / n,
                100.0 * (table[1][0] + table[1][1]) / n * (table[0][1] + table[1][1]) / n));
    }

    private static void row(String kind, String test, long[] counts, int n, String detail) {
        double expected = (double) n / counts.length;
        double chi = 0;
        for (long c : counts) {
            chi += sq(c - expected) / expected;
        }
        print(kind, test, counts.length, counts.length - 1, chi, detail);
    }

    private static void print(String kind, String test, int cells, int df, double chi, String detail) {
        double p = 1 - new ChiSquaredDistribution(df).cumulativeProbability(chi);
        System.out.printf(Locale.ROOT, "| %s | %s | %,d | %,d | %.2f | %.3f | %s |%n", kind, test, cells, df, chi, p,
                detail);
    }

    private static String minMax(long[] counts) {
        long min = Long.MAX_VALUE;
        long max = 0;
        for (long c : counts) {
            min = Math.min(min, c);
            max = Math.max(max, c);
        }
        return String.format(Locale.ROOT, "smallest cell %,d, largest %,d", min, max);
    }

    private static double sq(double x) {
        return x * x;
    }
}
