package dev.gantry.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.server.pipeline.DeploySpec;
import dev.gantry.server.pipeline.DeploySpec.CanaryStep;
import dev.gantry.server.pipeline.DeploySpec.StrategyType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TestDeployPlans {
    private static final EnvironmentSpec ONE_REGION = environment(List.of(region("eu", "eu-1")));

    private static EnvironmentSpec environment(List<EnvironmentSpec.Region> regions) {
        return new EnvironmentSpec("production", regions, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.of("2m"), Optional.empty(), Optional.empty());
    }

    private static EnvironmentSpec.Region region(String name, String... targets) {
        return new EnvironmentSpec.Region(name, java.util.Arrays.stream(targets)
                .map(target -> new EnvironmentSpec.Target(target, "process", Map.of())).toList());
    }

    private static List<String> described(List<PlanStep> plan) {
        return plan.stream().map(PlanStep::describe).toList();
    }

    @Test
    void aCanaryShiftsTrafficStepByStepThenBakesWithTheOldVersionWarm() {
        DeploySpec.Strategy canary = DeploySpec.Strategy.canary(List.of(new CanaryStep(10, Optional.of(Duration.ofSeconds(30))),
                new CanaryStep(100, Optional.empty())));
        List<PlanStep> plan = DeployPlans.deploy(new DeployPlans.Inputs(StrategyType.CANARY, canary, 4, ONE_REGION, "new",
                Optional.of("old"), 0));
        assertThat(described(plan)).containsExactly(
                "run 1 instance(s) of new on eu-1",
                "wait for 1 healthy instance(s) of new on eu-1",
                "send 10% to new, 90% to old on eu-1",
                "canary at 10% for 30.0 s, gated on eu-1",
                "run 4 instance(s) of new on eu-1",
                "wait for 4 healthy instance(s) of new on eu-1",
                "send 100% to new on eu-1",
                "bake with the previous version kept warm for 120.0 s, gated on eu-1",
                "remove old on eu-1");
    }

    @Test
    void anAnalysedCanaryRunsABaselineAtTheSameWeightThenSoaks() {
        EnvironmentSpec analysed = new EnvironmentSpec("production", List.of(region("eu", "eu-1")), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.of("2m"),
                Optional.empty(), Optional.of(new AnalysisSpec(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty())));
        DeploySpec.Strategy canary = DeploySpec.Strategy.canary(List.of(new CanaryStep(10, Optional.of(Duration.ofSeconds(30))),
                new CanaryStep(60, Optional.of(Duration.ofSeconds(30))), new CanaryStep(100, Optional.empty())));
        List<PlanStep> plan = DeployPlans.deploy(new DeployPlans.Inputs(StrategyType.CANARY, canary, 4, analysed, "new",
                Optional.of("old"), 0));
        assertThat(described(plan)).containsExactly(
                "run 1 instance(s) of new on eu-1",
                "run 1 instance(s) of old.baseline on eu-1",
                "wait for 1 healthy instance(s) of new on eu-1",
                "wait for 1 healthy instance(s) of old.baseline on eu-1",
                "send 10% to new, 10% to old.baseline, 80% to old on eu-1",
                "canary at 10% against a baseline at 10% for 30.0 s, analysed against old.baseline on eu-1",
                "run 3 instance(s) of new on eu-1",
                "run 3 instance(s) of old.baseline on eu-1",
                "wait for 3 healthy instance(s) of new on eu-1",
                "wait for 3 healthy instance(s) of old.baseline on eu-1",
                "send 60% to new, 40% to old.baseline on eu-1",
                "canary at 60% against a baseline at 40% for 30.0 s, analysed against old.baseline on eu-1",
                "run 4 instance(s) of new on eu-1",
                "wait for 4 healthy instance(s) of new on eu-1",
                "send 100% to new on eu-1",
                "remove old.baseline on eu-1",
                "soak with the previous version kept warm for 120.0 s, soak-analysed on eu-1",
                "remove old on eu-1");
        assertThat(CanaryJudge.analysedSteps(plan)).isEqualTo(3);
    }

    @Test
    void aFirstDeployStartsTheVersionAndGivesItAllTraffic() {
        List<PlanStep> plan = DeployPlans.deploy(new DeployPlans.Inputs(StrategyType.CANARY,
                DeploySpec.Strategy.canary(DeploySpec.Strategy.DEFAULT_CANARY_STEPS), 2, ONE_REGION, "new", Optional.empty(), 1));
        assertThat(described(plan)).containsExactly(
                "wait for 1 approval(s) before the deploy starts",
                "run 2 instance(s) of new on eu-1",
                "wait for 2 healthy instance(s) of new on eu-1",
                "send 100% to new on eu-1");
    }

    @Test
    void theCanaryRegionGoesFirstThenTheOthersTogether() {
        EnvironmentSpec regions = environment(List.of(region("eu", "eu-1"), region("us", "us-1"), region("ap", "ap-1")));
        List<PlanStep> plan = DeployPlans.deploy(new DeployPlans.Inputs(StrategyType.BLUE_GREEN,
                DeploySpec.Strategy.blueGreen(Duration.ofMinutes(1)), 1, regions, "new", Optional.of("old"), 0));
        assertThat(described(plan)).containsExactly(
                "run 1 instance(s) of new on eu-1",
                "wait for 1 healthy instance(s) of new on eu-1",
                "send 100% to new on eu-1",
                "run 1 instance(s) of new on us-1, ap-1",
                "wait for 1 healthy instance(s) of new on us-1, ap-1",
                "send 100% to new on us-1, ap-1",
                "bake with the previous version kept warm for 60.0 s, gated on eu-1, us-1, ap-1",
                "remove old on eu-1, us-1, ap-1");
    }

    @Test
    void aRollingDeployReplacesBatchesWithoutLosingCapacity() {
        List<PlanStep> plan = DeployPlans.deploy(new DeployPlans.Inputs(StrategyType.ROLLING,
                DeploySpec.Strategy.rolling(new DeploySpec.BatchSize(DeploySpec.BatchUnit.INSTANCES, 2)), 3, ONE_REGION, "new",
                Optional.of("old"), 0));
        assertThat(described(plan)).containsExactly(
                "run 2 instance(s) of new on eu-1",
                "wait for 2 healthy instance(s) of new on eu-1",
                "send 67% to new, 33% to old on eu-1",
                "run 1 instance(s) of old on eu-1",
                "batch of 2 of 3 for 0.0 s, gated on eu-1",
                "run 3 instance(s) of new on eu-1",
                "wait for 3 healthy instance(s) of new on eu-1",
                "send 100% to new on eu-1",
                "remove old on eu-1");
    }

    @Test
    void aRollbackMovesTrafficFirstThenRemovesTheRest() {
        assertThat(described(DeployPlans.rollback(ONE_REGION, 2, "bad", Optional.of("good")))).containsExactly(
                "run 2 instance(s) of good on eu-1",
                "wait for 1 healthy instance(s) of good on eu-1",
                "send 100% to good on eu-1",
                "remove every version but good on eu-1",
                "wait for 2 healthy instance(s) of good on eu-1");
        assertThat(described(DeployPlans.rollback(ONE_REGION, 2, "bad", Optional.empty())))
                .containsExactly("send no traffic on eu-1", "remove bad on eu-1");
    }
}
