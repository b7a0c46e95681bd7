package dev.gantry.server.deploy;

import dev.gantry.server.pipeline.DeploySpec;
import dev.gantry.server.pipeline.DeploySpec.CanaryStep;
import dev.gantry.server.pipeline.DeploySpec.StrategyType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a strategy into the fixed list of steps a deploy follows. The first region goes first (canary region), the
 * rest follow together; the previous version keeps running on every target until the whole deploy has baked, so a
 * rollback at any point is one weight change.
 */
final class DeployPlans {
    private DeployPlans() {
    }

    /** What a plan is made from: versions are release ids; {@code previous} is empty on a service's first deploy. */
    record Inputs(StrategyType strategy, DeploySpec.Strategy settings, int instances, EnvironmentSpec environment,
                  String next, Optional<String> previous, int approvalsAtStart) {
    }

    static List<PlanStep> deploy(Inputs in) {
        List<PlanStep> plan = new ArrayList<>();
        if (in.approvalsAtStart() > 0) {
            plan.add(PlanStep.approval("before the deploy starts", in.approvalsAtStart()));
        }
        List<List<String>> groups = regionGroups(in.environment());
        List<String> all = in.environment().allTargets().stream().map(EnvironmentSpec.Target::name).toList();
        long healthMs = 0;
        for (List<String> group : groups) {
            if (in.previous().isEmpty()) {
                // nothing to shift traffic from: start the version, then give it all the traffic
                plan.add(PlanStep.ensure(group, in.next(), in.instances()));
                plan.add(PlanStep.awaitHealthy(group, in.next(), in.instances()));
                plan.add(PlanStep.weights(group, Map.of(in.next(), 100)));
                continue;
            }
            String old = in.previous().get();
            switch (in.strategy()) {
                case CANARY -> canary(plan, group, in, old);
                case BLUE_GREEN -> {
                    plan.add(PlanStep.ensure(group, in.next(), in.instances()));
                    plan.add(PlanStep.awaitHealthy(group, in.next(), in.instances()));
                    plan.add(PlanStep.weights(group, Map.of(in.next(), 100)));
                }
                case ROLLING -> rolling(plan, group, in, old);
            }
        }
        if (in.previous().isPresent()) {
            Duration bake = in.strategy() == StrategyType.BLUE_GREEN
                    ? in.settings().hold().orElse(DeploySpec.Strategy.DEFAULT_BLUE_GREEN_HOLD)
                    : in.environment().bakeTime();
            if (in.strategy() != StrategyType.ROLLING && !bake.isZero()) {
                boolean soak = in.environment().analysis().filter(AnalysisSpec::soaks).isPresent();
                plan.add(soak ? PlanStep.soak(all, in.next(), bake.toMillis(), "soak with the previous version kept warm")
                        : PlanStep.hold(all, in.next(), bake.toMillis(), "bake with the previous version kept warm"));
            }
            plan.add(PlanStep.remove(all, in.previous().get()));
        }
        return List.copyOf(plan);
    }

    private static void canary(List<PlanStep> plan, List<String> group, Inputs in, String old) {
        List<CanaryStep> steps = in.settings().type() == StrategyType.CANARY && !in.settings().steps().isEmpty()
                ? in.settings().steps() : DeploySpec.Strategy.DEFAULT_CANARY_STEPS;
        boolean approvalBetween = in.environment().approvalBetweenSteps().orElse(false) && in.approvalsAtStart() > 0;
        boolean analysed = in.environment().analysis().isPresent();
        String baseline = baselineOf(old);
        boolean baselineRuns = false;
        for (int i = 0; i < steps.size(); i++) {
            CanaryStep step = steps.get(i);
            int canaryInstances = step.weight() >= 100 ? in.instances()
                    : Math.max(1, (int) Math.ceil(in.instances() * step.weight() / 100.0));
            Duration hold = step.hold().orElse(Duration.ZERO);
            plan.add(PlanStep.ensure(group, in.next(), canaryInstances));
            if (analysed && step.weight() < 100 && !hold.isZero()) {
                // fresh instances of the stable version at the canary's weight: both started now, so age, warm-up
                // and load are alike and only the version differs
                int baselineWeight = Math.min(step.weight(), 100 - step.weight());
                plan.add(PlanStep.ensure(group, baseline, canaryInstances));
                plan.add(PlanStep.awaitHealthy(group, in.next(), canaryInstances));
                plan.add(PlanStep.awaitHealthy(group, baseline, canaryInstances));
                Map<String, Integer> weights = new LinkedHashMap<>();
                weights.put(in.next(), step.weight());
                weights.put(baseline, baselineWeight);
                if (step.weight() + baselineWeight < 100) {
                    weights.put(old, 100 - step.weight() - baselineWeight);
                }
                plan.add(PlanStep.weights(group, weights));
                plan.add(PlanStep.canaryAnalysis(group, in.next(), baseline, hold.toMillis(),
                        "canary at " + step.weight() + "% against a baseline at " + baselineWeight + "%"));
                baselineRuns = true;
            } else {
                plan.add(PlanStep.awaitHealthy(group, in.next(), canaryInstances));
                plan.add(PlanStep.weights(group, split(in.next(), step.weight(), old)));
                if (baselineRuns) {
                    plan.add(PlanStep.remove(group, baseline));
                    baselineRuns = false;
                }
                if (!hold.isZero()) {
                    plan.add(PlanStep.hold(group, in.next(), hold.toMillis(), "canary at " + step.weight() + "%"));
                }
            }
            if (approvalBetween && step.weight() < 100) {
                plan.add(PlanStep.approval("after the canary at " + step.weight() + "%", in.approvalsAtStart()));
            }
        }
        if (steps.get(steps.size() - 1).weight() < 100) {
            plan.add(PlanStep.ensure(group, in.next(), in.instances()));
            plan.add(PlanStep.awaitHealthy(group, in.next(), in.instances()));
            plan.add(PlanStep.weights(group, Map.of(in.next(), 100)));
        }
        if (baselineRuns) {
            plan.add(PlanStep.remove(group, baseline));
        }
    }

    /** The version name a release's baseline instances run under: the router and the metrics tell them apart by it. */
    static String baselineOf(String releaseId) {
        return releaseId + BASELINE_SUFFIX;
    }

    static final String BASELINE_SUFFIX = ".baseline";

    private static void rolling(List<PlanStep> plan, List<String> group, Inputs in, String old) {
        int total = in.instances();
        int batch = in.settings().batchSize().orElse(DeploySpec.Strategy.DEFAULT_BATCH_SIZE).instancesOf(total);
        for (int replaced = Math.min(batch, total); ; replaced = Math.min(replaced + batch, total)) {
            // surge first: the new batch is healthy before the old one stops, so none are unavailable
            plan.add(PlanStep.ensure(group, in.next(), replaced));
            plan.add(PlanStep.awaitHealthy(group, in.next(), replaced));
            int weight = (int) Math.round(100.0 * replaced / total);
            plan.add(PlanStep.weights(group, split(in.next(), weight, old)));
            if (replaced < total) {
                plan.add(PlanStep.ensure(group, old, total - replaced));
                plan.add(PlanStep.hold(group, in.next(), 0, "batch of " + replaced + " of " + total));
            }
            if (replaced == total) {
                return;
            }
        }
    }

    /**
     * Back to {@code previous} on every target: traffic first (its instances are still warm unless the deploy already
     * removed them), then the other versions go. With no previous release, the deploy's version is taken away.
     */
    static List<PlanStep> rollback(EnvironmentSpec environment, int instances, String failed, Optional<String> previous) {
        List<String> all = environment.allTargets().stream().map(EnvironmentSpec.Target::name).toList();
        if (previous.isEmpty()) {
            return List.of(PlanStep.weights(all, Map.of()), PlanStep.remove(all, failed));
        }
        String back = previous.get();
        return List.of(
                PlanStep.ensure(all, back, instances),
                PlanStep.awaitHealthy(all, back, 1),
                PlanStep.weights(all, Map.of(back, 100)),
                PlanStep.removeOthers(all, back),
                PlanStep.awaitHealthy(all, back, instances));
    }

    private static Map<String, Integer> split(String next, int weight, String old) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        weights.put(next, weight);
        if (weight < 100) {
            weights.put(old, 100 - weight);
        }
        return weights;
    }

    private static List<List<String>> regionGroups(EnvironmentSpec environment) {
        List<List<String>> groups = new ArrayList<>();
        groups.add(environment.regions().get(0).targets().stream().map(EnvironmentSpec.Target::name).toList());
        List<String> rest = environment.regions().stream().skip(1)
                .flatMap(region -> region.targets().stream()).map(EnvironmentSpec.Target::name).toList();
        if (!rest.isEmpty()) {
            groups.add(rest);
        }
        return groups;
    }
}
