package dev.gantry.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TestExposureCounter {
    @Test
    void countsEvaluationsPerVariantAndResetsOnDrain() {
        ExposureCounter counter = new ExposureCounter("f");
        counter.variant("on").add(3);
        counter.variant("off").increment();
        counter.variant("unused");
        assertThat(counter.drainVariants()).isEqualTo(Map.of("on", 3L, "off", 1L));
        assertThat(counter.drainVariants()).isEmpty();
    }

    @Test
    void splitsAReportIntoBodiesOfAtMostAThousandFlags() {
        ExposureReporter reporter = new ExposureReporter(null, null, "t", "production", java.time.Duration.ofSeconds(1));
        for (int i = 0; i < 2500; i++) {
            reporter.counter("flag-" + i).variant("on").increment();
        }
        reporter.counter("never-evaluated").variant("on");
        java.util.List<Map<String, Object>> bodies = reporter.drain();
        assertThat(bodies).hasSize(3);
        assertThat(bodies).extracting(b -> ((java.util.List<?>) b.get("flags")).size()).containsExactly(1000, 1000, 500);
        assertThat(bodies).allSatisfy(b -> assertThat(b.get("environment")).isEqualTo("production"));
        assertThat(reporter.drain()).isEmpty();
    }

    @Test
    void estimatesDistinctUsersInBoundedMemory() {
        for (int distinct : new int[] {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000}) {
            ExposureCounter counter = new ExposureCounter("f");
            for (int repeat = 0; repeat < 3; repeat++) {
                for (int i = 0; i < distinct; i++) {
                    counter.user(Murmur3.hash(Murmur3.EMPTY, "user-" + i));
                }
            }
            long estimate = counter.drainUsers();
            double error = Math.abs(estimate - distinct) / (double) distinct;
            // small counts come out exact or nearly; large ones within a few standard errors (3.3 %)
            assertThat(error).as("%d users estimated as %d", distinct, estimate).isLessThan(distinct <= 100 ? 0.02 : 0.1);
            assertThat(counter.drainUsers()).isZero();
        }
    }
}
