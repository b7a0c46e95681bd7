package dev.gantry.plugins.analyzer.mannwhitney;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TestAlphaSpending {
    @Test
    void spendsTheCubeOfProgressAndEverythingLeftAtTheFinalLook() {
        double alpha = 0.0025;
        double spent = 0;
        double[] expected = {0.008, 0.056, 0.152, 0.296}; // t^3 differences at t = 0.2, 0.4, 0.6, 0.8
        for (int look = 1; look <= 4; look++) {
            double level = AlphaSpending.lookLevel(alpha, spent, look / 5.0, false);
            assertThat(level).isCloseTo(expected[look - 1] * alpha, within(1e-15));
            spent += level;
        }
        double last = AlphaSpending.lookLevel(alpha, spent, 1, true);

        assertThat(last).isCloseTo(0.488 * alpha, within(1e-15));
        assertThat(spent + last).isLessThanOrEqualTo(alpha);
    }

    @Test
    void aLookThatTestedNothingLeavesItsShareToTheNext() {
        double alpha = 0.0025;
        // the first look lacked samples and spent nothing; the second may spend all of alpha * 0.4^3
        assertThat(AlphaSpending.lookLevel(alpha, 0, 0.4, false)).isCloseTo(0.064 * alpha, within(1e-15));
    }

    @Test
    void neverSpendsMoreThanAlphaWhateverTheLooks() {
        SplittableRandom random = new SplittableRandom(3);
        for (int sequence = 0; sequence < 100_000; sequence++) {
            double alpha = random.nextDouble(1e-6, 0.5);
            double spent = 0;
            double progress = 0;
            int looks = 1 + random.nextInt(20);
            for (int look = 0; look < looks; look++) {
                // irregular, repeated, even backwards progress; some looks test nothing and spend nothing
                progress = Math.min(1, Math.max(0, progress + random.nextDouble(-0.1, 0.4)));
                boolean finalLook = look == looks - 1 || random.nextInt(10) == 0;
                double level = AlphaSpending.lookLevel(alpha, spent, progress, finalLook);
                assertThat(level).isGreaterThanOrEqualTo(0);
                if (random.nextInt(5) > 0) {
                    spent += level;
                }
                assertThat(spent).isLessThanOrEqualTo(alpha);
            }
        }
    }

    @Test
    void progressBackwardsSpendsNothing() {
        double alpha = 0.01;
        double spent = AlphaSpending.lookLevel(alpha, 0, 0.8, false);

        assertThat(AlphaSpending.lookLevel(alpha, spent, 0.6, false)).isZero();
    }
}
