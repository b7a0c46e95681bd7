package dev.gantry.plugins.analyzer.mannwhitney;

import dev.gantry.plugin.api.analysis.AnalysisRequest;
import dev.gantry.plugin.api.analysis.AnalysisResult;
import dev.gantry.plugin.api.analysis.AnalysisResult.MetricResult;
import dev.gantry.plugin.api.analysis.MetricComparison;
import dev.gantry.plugin.api.analysis.MetricComparison.Direction;
import dev.gantry.plugin.api.analysis.MetricComparison.Kind;
import dev.gantry.plugin.api.metrics.SampleKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.commons.math3.distribution.BetaDistribution;

/**
 * Canary rollouts as the deploy controller runs them, with the shipped analyzer judging every look, to measure the
 * false-rollback and detection rates (scripts/bench-canary-analysis; a benchmark, not a test).
 *
 * <p>A deploy's {@code alphaTotal} is split equally over its analyzed steps: each canary step below 100% plus one
 * soak analysis after promotion (4 by default). At a step of weight {@code w} the canary and fresh baseline instances
 * of the stable version each get {@code w * requestRate} requests per second. A look comes every interval of the
 * hold with all samples since the step began; {@code progress = min(1, elapsed / hold)}; the look at the hold's end is
 * final. A final look that tested nothing for lack of samples is repeated every interval until {@code hold +
 * extension}, after which the deploy pauses. FAIL at any look rolls back; PASS at the final look moves to the next
 * step. The soak analysis is not simulated: its share of {@code alphaTotal} stays unspent here, so the canary steps
 * together may raise a false alarm with probability at most {@code 3/4 alphaTotal}.
 *
 * <p>Latency is log-normal (median {@code medianMs}, log-scale sigma {@code sigma}); each request is an error with
 * probability {@code errorRate}. A scenario multiplies every canary latency and the canary's error rate by its
 * factors. Each rollout draws from its own generator seeded from the run's seed and its index, so the figures do not
 * depend on how the rollouts are spread over threads.
 */
public final class CanaryRolloutSimulation {
    /** How deploys are analyzed: the server's defaults unless stated. */
    record Plan(double requestRate, int[] stepWeights, double alphaTotal, int analyzedSteps, int holdSeconds,
                int intervalSeconds, int extensionSeconds) {
        static Plan defaults(double requestRate) {
            return new Plan(requestRate, new int[] {1, 10, 50}, 0.01, 4, 300, 60, 300);
        }

        double stepAlpha() {
            return alphaTotal / analyzedSteps;
        }

        int samplesPerInterval(int weightPercent) {
            return (int) Math.round(weightPercent / 100.0 * requestRate * intervalSeconds);
        }
    }

    record Traffic(double medianMs, double sigma, double errorRate) {
        static final Traffic DEFAULT = new Traffic(20, 0.5, 0.005);
    }

    record Scenario(String name, double latencyFactor, double errorFactor) {
    }

    enum Outcome {
        PROMOTED,
        ROLLED_BACK,
        PAUSED
    }

    /** How one rollout ended: at which step (index) and how far into it, and whether uncorrected tests would have failed. */
    record Rollout(Outcome outcome, int step, int secondsIntoStep, boolean uncorrectedRollback) {
    }

    record Summary(Scenario scenario, List<Rollout> rollouts) {
        int count(Outcome outcome) {
            return (int) rollouts.stream().filter(r -> r.outcome() == outcome).count();
        }

        int rolledBackAt(int step) {
            return (int) rollouts.stream().filter(r -> r.outcome() == Outcome.ROLLED_BACK && r.step() == step).count();
        }

        int uncorrectedRollbacks() {
            return (int) rollouts.stream().filter(Rollout::uncorrectedRollback).count();
        }

        /** The share of rollouts rolled back in the first step within {@code seconds} of its start. */
        double detectedAtFirstStepWithin(int seconds) {
            return rollouts.stream().filter(r -> r.outcome() == Outcome.ROLLED_BACK && r.step() == 0
                    && r.secondsIntoStep() <= seconds).count() / (double) rollouts.size();
        }

        /** Median seconds into the first step until rollback, counting rollouts not rolled back there as never; NaN if under half were. */
        double medianSecondsToDetectAtFirstStep() {
            int[] times = rollouts.stream()
                    .filter(r -> r.outcome() == Outcome.ROLLED_BACK && r.step() == 0)
                    .mapToInt(Rollout::secondsIntoStep).sorted().toArray();
            int n = rollouts.size();
            if (2 * times.length <= n) {
                return Double.NaN;
            }
            return n % 2 == 1 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2.0;
        }
    }

    private final Plan plan;
    private final Traffic traffic;
    private final MannWhitneyAnalyzer analyzer = new MannWhitneyAnalyzer(MannWhitneyConfig.DEFAULTS);

    CanaryRolloutSimulation(Plan plan, Traffic traffic) {
        this.plan = plan;
        this.traffic = traffic;
    }

    Summary simulate(Scenario scenario, int rollouts, long seed) {
        long scenarioSeed = seed * 31 + scenario.name().hashCode();
        List<Rollout> results = IntStream.range(0, rollouts).parallel()
                .mapToObj(i -> rollout(scenario, new SplittableRandom(scenarioSeed * 1_000_003L + i)))
                .collect(Collectors.toList());
        return new Summary(scenario, results);
    }

    Rollout rollout(Scenario scenario, SplittableRandom random) {
        double mu = Math.log(traffic.medianMs());
        double canaryErrorRate = Math.min(1, traffic.errorRate() * scenario.errorFactor());
        boolean uncorrected = false;
        int[] weights = plan.stepWeights();
        for (int step = 0; step < weights.length; step++) {
            int perInterval = plan.samplesPerInterval(weights[step]);
            int maxLooks = (plan.holdSeconds() + plan.extensionSeconds()) / plan.intervalSeconds();
            double[] baselineLatency = new double[perInterval * maxLooks];
            double[] canaryLatency = new double[perInterval * maxLooks];
            double[] baselineErrors = new double[perInterval * maxLooks];
            double[] canaryErrors = new double[perInterval * maxLooks];
            int size = 0;
            double spent = 0;
            boolean promoted = false;
            for (int elapsed = plan.intervalSeconds(); !promoted; elapsed += plan.intervalSeconds()) {
                for (int i = 0; i < perInterval; i++, size++) {
                    baselineLatency[size] = Math.exp(mu + traffic.sigma() * random.nextGaussian());
                    canaryLatency[size] = scenario.latencyFactor() * Math.exp(mu + traffic.sigma() * random.nextGaussian());
                    baselineErrors[size] = random.nextDouble() < traffic.errorRate() ? 1 : 0;
                    canaryErrors[size] = random.nextDouble() < canaryErrorRate ? 1 : 0;
                }
                boolean finalLook = elapsed >= plan.holdSeconds();
                double progress = Math.min(1, (double) elapsed / plan.holdSeconds());
                List<MetricComparison> metrics = List.of(
                        new MetricComparison("latency_ms", Kind.CONTINUOUS, SampleKind.PER_REQUEST,
                                Arrays.copyOf(baselineLatency, size), Arrays.copyOf(canaryLatency, size),
                                Direction.INCREASE_IS_BAD, 0.10, false),
                        new MetricComparison("error", Kind.PROPORTION, SampleKind.PER_REQUEST,
                                Arrays.copyOf(baselineErrors, size), Arrays.copyOf(canaryErrors, size),
                                Direction.INCREASE_IS_BAD, 0, true));
                AnalysisResult result = analyzer.analyze(
                        new AnalysisRequest(metrics, plan.stepAlpha(), spent, progress, finalLook));
                spent += result.alphaSpent();
                for (MetricResult metric : result.metrics()) {
                    uncorrected |= metric.pValue() < 0.05;
                }
                switch (result.verdict()) {
                    case FAIL -> {
                        return new Rollout(Outcome.ROLLED_BACK, step, elapsed, true);
                    }
                    case PASS -> promoted = finalLook;
                    case INCONCLUSIVE -> {
                        boolean tested = result.alphaSpent() > 0;
                        if (finalLook && (tested || elapsed >= plan.holdSeconds() + plan.extensionSeconds())) {
                            return new Rollout(Outcome.PAUSED, step, elapsed, uncorrected);
                        }
                    }
                }
            }
        }
        return new Rollout(Outcome.PROMOTED, weights.length, 0, uncorrected);
    }

    /** The exact (Clopper–Pearson) 95% confidence interval of a binomial proportion. */
    static double[] confidenceInterval(int successes, int trials) {
        double lower = successes == 0 ? 0
                : new BetaDistribution(null, successes, trials - successes + 1).inverseCumulativeProbability(0.025);
        double upper = successes == trials ? 1
                : new BetaDistribution(null, successes + 1, trials - successes).inverseCumulativeProbability(0.975);
        return new double[] {lower, upper};
    }

    public static void main(String[] args) {
        int aaRollouts = intEnv("ROLLOUTS", 10_000);
        int detectionRollouts = intEnv("DETECTION_ROLLOUTS", 10_000);
        int marginRollouts = intEnv("MARGIN_ROLLOUTS", 2_000);
        double rate = Double.parseDouble(env("RATE", "300"));
        long seed = Long.parseLong(env("SEED", "20261125"));
        Plan plan = Plan.defaults(rate);
        Traffic traffic = Traffic.DEFAULT;
        CanaryRolloutSimulation simulation = new CanaryRolloutSimulation(plan, traffic);

        long started = System.nanoTime();
        System.err.printf(Locale.ROOT, "bench-canary-analysis: %d threads%n", Runtime.getRuntime().availableProcessors());
        List<Summary> summaries = new ArrayList<>();
        Scenario aa = new Scenario("A/A: canary = baseline", 1, 1);
        Scenario margin = new Scenario("at the margin: canary latency x1.1, same error rate", 1.1, 1);
        Scenario slower = new Scenario("latency +20% (every canary sample x1.2)", 1.2, 1);
        Scenario errors = new Scenario("error rate x2 (0.5% -> 1%)", 1, 2);
        for (Object[] run : new Object[][] {{aa, aaRollouts}, {margin, marginRollouts}, {slower, detectionRollouts},
                {errors, detectionRollouts}}) {
            Scenario scenario = (Scenario) run[0];
            int rollouts = (Integer) run[1];
            long t0 = System.nanoTime();
            summaries.add(simulation.simulate(scenario, rollouts, seed));
            System.err.printf(Locale.ROOT, "bench-canary-analysis: %s: %d rollouts in %.1f s%n", scenario.name(), rollouts,
                    (System.nanoTime() - t0) / 1e9);
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        System.out.println(describe(plan, traffic, seed));
        System.out.println();
        System.out.println("| scenario | rollouts | rolled back | rate | 95% CI | at 1% / 10% / 50% | paused | goal |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        Summary aaSummary = summaries.get(0);
        row("A/A, this analyzer (false rollbacks)", aaSummary, aaSummary.count(Outcome.ROLLED_BACK), true, "<= 1%");
        row("A/A, p < 0.05 at every look, no correction", aaSummary, aaSummary.uncorrectedRollbacks(), false, "");
        Summary marginSummary = summaries.get(1);
        row(margin.name() + " (false rollbacks)", marginSummary, marginSummary.count(Outcome.ROLLED_BACK), true, "<= 1%");
        row(slower.name() + " (detected)", summaries.get(2), summaries.get(2).count(Outcome.ROLLED_BACK), true, ">= 95%");
        row(errors.name() + " (detected)", summaries.get(3), summaries.get(3).count(Outcome.ROLLED_BACK), true, ">= 95%");
        System.out.println();
        for (Summary summary : summaries.subList(2, 4)) {
            double median = summary.medianSecondsToDetectAtFirstStep();
            double share = (double) summary.rolledBackAt(0) / summary.rollouts().size();
            String byMinute = IntStream.rangeClosed(1, plan.holdSeconds() / plan.intervalSeconds())
                    .mapToObj(k -> String.format(Locale.ROOT, "%d min %.1f%%", k * plan.intervalSeconds() / 60,
                            100 * summary.detectedAtFirstStepWithin(k * plan.intervalSeconds())))
                    .collect(Collectors.joining(", "));
            System.out.printf(Locale.ROOT, "%s: rolled back within the 1%% step in %.1f%% of rollouts (by %s); median "
                    + "time to detect there: %s%n", summary.scenario().name(), 100 * share, byMinute,
                    Double.isNaN(median) ? "not reached (under half detected within the step)"
                            : String.format(Locale.ROOT, "%.0f min", median / 60));
        }
        System.out.printf(Locale.ROOT, "%nTook %.0f s on %d threads.%n", seconds, Runtime.getRuntime().availableProcessors());
    }

    static String describe(Plan plan, Traffic traffic, long seed) {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "Total request rate R = %s requests/s; canary and baseline each get "
                        + "weight x R. Steps %s, hold %d min, a look every %d min with all samples since the step began, "
                        + "extension %d min. alpha_total %s over %d analyzed steps = %s per step. Latency log-normal, "
                        + "median %s ms, sigma %s (mean %.1f ms, p99 %.0f ms); baseline error rate %s%%. Seed %d.%n",
                Numbers.value(plan.requestRate()),
                Arrays.stream(plan.stepWeights()).mapToObj(w -> w + "%").collect(Collectors.joining(", ")),
                plan.holdSeconds() / 60, plan.intervalSeconds() / 60, plan.extensionSeconds() / 60,
                Numbers.value(plan.alphaTotal()), plan.analyzedSteps(), Numbers.value(plan.stepAlpha()),
                Numbers.value(traffic.medianMs()), Numbers.value(traffic.sigma()),
                traffic.medianMs() * Math.exp(traffic.sigma() * traffic.sigma() / 2),
                traffic.medianMs() * Math.exp(traffic.sigma() * 2.3263),
                Numbers.value(traffic.errorRate() * 100), seed));
        text.append("Samples per version at each look:");
        int looks = plan.holdSeconds() / plan.intervalSeconds();
        for (int weight : plan.stepWeights()) {
            int perInterval = plan.samplesPerInterval(weight);
            text.append(' ').append(weight).append("%: ");
            text.append(IntStream.rangeClosed(1, looks).mapToObj(k -> Numbers.count((long) k * perInterval))
                    .collect(Collectors.joining(", ")));
            text.append(';');
        }
        int smallest = plan.samplesPerInterval(plan.stepWeights()[0]);
        text.append(String.format(Locale.ROOT, " longest window %d min (the hold), or %d min when a final look lacks "
                        + "samples (%s with these figures: the first look already has %s of the %d needed).",
                plan.holdSeconds() / 60, (plan.holdSeconds() + plan.extensionSeconds()) / 60,
                smallest >= MannWhitneyConfig.DEFAULT_MIN_SAMPLES_PER_REQUEST ? "never" : "at the smallest step",
                Numbers.count(smallest), MannWhitneyConfig.DEFAULT_MIN_SAMPLES_PER_REQUEST));
        return text.toString();
    }

    private static void row(String name, Summary summary, int events, boolean byStep, String goal) {
        int n = summary.rollouts().size();
        double[] ci = confidenceInterval(events, n);
        String steps = byStep
                ? IntStream.range(0, 3).mapToObj(s -> Numbers.count(summary.rolledBackAt(s))).collect(Collectors.joining(" / "))
                : "";
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s – %s | %s | %s | %s |%n", name, Numbers.count(n),
                Numbers.count(events), percent(events / (double) n), percent(ci[0]), percent(ci[1]), steps,
                byStep ? Numbers.count(summary.count(Outcome.PAUSED)) : "", goal);
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, share < 0.01 && share > 0 ? "%.3f%%" : "%.2f%%", 100 * share);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static int intEnv(String name, int fallback) {
        return Integer.parseInt(env(name, Integer.toString(fallback)));
    }
}
