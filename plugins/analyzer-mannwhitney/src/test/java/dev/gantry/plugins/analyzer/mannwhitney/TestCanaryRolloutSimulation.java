package dev.gantry.plugins.analyzer.mannwhitney;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.gantry.plugins.analyzer.mannwhitney.CanaryRolloutSimulation.Outcome;
import dev.gantry.plugins.analyzer.mannwhitney.CanaryRolloutSimulation.Plan;
import dev.gantry.plugins.analyzer.mannwhitney.CanaryRolloutSimulation.Scenario;
import dev.gantry.plugins.analyzer.mannwhitney.CanaryRolloutSimulation.Summary;
import dev.gantry.plugins.analyzer.mannwhitney.CanaryRolloutSimulation.Traffic;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A small run of scripts/bench-canary-analysis's scenarios, so CI sees them work; the figures come from the script. */
class TestCanaryRolloutSimulation {
    private final CanaryRolloutSimulation simulation = new CanaryRolloutSimulation(Plan.defaults(300), Traffic.DEFAULT);

    @Test
    void promotesGoodCanariesAndRollsBackBadOnes() {
        Summary same = simulation.simulate(new Scenario("A/A", 1, 1), 100, 1);
        Summary slower = simulation.simulate(new Scenario("latency +20%", 1.2, 1), 100, 1);
        Summary errors = simulation.simulate(new Scenario("error rate x2", 1, 2), 100, 1);

        assertThat(same.count(Outcome.PROMOTED)).isGreaterThanOrEqualTo(98);
        assertThat(same.count(Outcome.PAUSED)).isZero();
        assertThat(slower.count(Outcome.ROLLED_BACK)).isGreaterThanOrEqualTo(95);
        assertThat(errors.count(Outcome.ROLLED_BACK)).isGreaterThanOrEqualTo(95);
    }

    @Test
    void aFinalLookWithoutEnoughSamplesIsRepeatedUntilTheExtensionEndsThenPauses() {
        // 0.2 requests/s at the 1% step: 12 samples a minute, so the 100 needed come only after 9 minutes, within
        // hold + extension; at a tenth of that rate they never come and the deploy pauses after 10 minutes
        CanaryRolloutSimulation slow = new CanaryRolloutSimulation(Plan.defaults(20), Traffic.DEFAULT);
        CanaryRolloutSimulation slower = new CanaryRolloutSimulation(Plan.defaults(2), Traffic.DEFAULT);

        CanaryRolloutSimulation.Rollout late = slow.rollout(new Scenario("A/A", 1, 1), new SplittableRandom(5));
        CanaryRolloutSimulation.Rollout never = slower.rollout(new Scenario("A/A", 1, 1), new SplittableRandom(5));

        assertThat(late.outcome()).isNotEqualTo(Outcome.PAUSED);
        assertThat(never.outcome()).isEqualTo(Outcome.PAUSED);
        assertThat(never.step()).isZero();
        assertThat(never.secondsIntoStep()).isEqualTo(600);
    }

    @Test
    void confidenceIntervalsAreClopperPearsons() {
        // 0 of 10,000: the upper bound solves (1 - p)^10000 = 0.025, p = 1 - 0.025^(1/10000) = 0.000368821
        double[] none = CanaryRolloutSimulation.confidenceInterval(0, 10_000);
        assertThat(none[0]).isZero();
        assertThat(none[1]).isCloseTo(1 - Math.pow(0.025, 1e-4), within(1e-8));
        // all of them: the lower bound solves p^n = 0.025
        double[] all = CanaryRolloutSimulation.confidenceInterval(500, 500);
        assertThat(all[0]).isCloseTo(Math.pow(0.025, 1.0 / 500), within(1e-8));
        assertThat(all[1]).isEqualTo(1);
    }
}
