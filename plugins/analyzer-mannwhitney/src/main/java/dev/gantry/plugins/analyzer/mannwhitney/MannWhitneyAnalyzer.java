package dev.gantry.plugins.analyzer.mannwhitney;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.PluginContext;
import dev.gantry.plugin.api.analysis.AnalysisRequest;
import dev.gantry.plugin.api.analysis.AnalysisResult;
import dev.gantry.plugin.api.analysis.AnalysisResult.MetricResult;
import dev.gantry.plugin.api.analysis.AnalysisResult.Verdict;
import dev.gantry.plugin.api.analysis.CanaryAnalyzer;
import dev.gantry.plugin.api.analysis.MetricComparison;
import dev.gantry.plugin.api.analysis.MetricComparison.Direction;
import dev.gantry.plugin.api.analysis.MetricComparison.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.pf4j.Extension;

/**
 * Gantry's default canary analyzer ({@code mann-whitney}, see docs/canary-analysis.md). At each look it tests every
 * metric one-sidedly for harm beyond the metric's allowed change: a {@link Kind#CONTINUOUS} metric with the
 * Mann–Whitney rank-sum test ({@link RankSum}), a {@link Kind#PROPORTION} with Fisher's exact test or, when a change
 * is allowed, a score test ({@link Proportions}). The look's level comes from spending the step's {@code alpha} over
 * its progress ({@link AlphaSpending}) and is split equally over the metrics, so the false alarms of all looks of a
 * step together stay within {@code alpha}. As in Kayenta, the score is the share of metrics that pass; a critical
 * metric that fails, or a score below the marginal score, fails the look; the final look passes with the pass score.
 */
@Extension
public final class MannWhitneyAnalyzer implements CanaryAnalyzer {
    static final String KIND = "mann-whitney";

    private final MannWhitneyConfig config;

    public MannWhitneyAnalyzer(PluginContext context) {
        this(MannWhitneyConfig.from(requireNonNull(context, "context is null").config()));
    }

    MannWhitneyAnalyzer(MannWhitneyConfig config) {
        this.config = requireNonNull(config, "config is null");
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public AnalysisResult analyze(AnalysisRequest request) {
        requireNonNull(request, "request is null");
        List<MetricComparison> metrics = request.metrics();
        if (metrics.isEmpty()) {
            return new AnalysisResult(Verdict.INCONCLUSIVE, 0, 0, List.of(), "no metrics to judge");
        }

        List<Prepared> prepared = new ArrayList<>(metrics.size());
        List<String> missing = new ArrayList<>();
        for (MetricComparison metric : metrics) {
            Prepared one = Prepared.of(metric);
            prepared.add(one);
            int needed = config.minSamples(metric.sampleKind());
            missing(metric.metric(), "canary", one.canary, needed).ifPresent(missing::add);
            missing(metric.metric(), "baseline", one.baseline, needed).ifPresent(missing::add);
        }
        if (!missing.isEmpty()) {
            return untested(prepared, missing);
        }

        double lookLevel = AlphaSpending.lookLevel(request.alpha(), request.alphaSpent(), request.progress(),
                request.finalLook());
        double level = lookLevel / metrics.size();
        List<MetricResult> results = new ArrayList<>(metrics.size());
        for (Prepared one : prepared) {
            results.add(judge(one, level, request.finalLook()));
        }
        return verdict(results, prepared, lookLevel, level, request);
    }

    /** One metric's verdict at {@code level}; a metric with too much unusable data is not tested (level 0). */
    private MetricResult judge(Prepared one, double level, boolean finalLook) {
        MetricComparison metric = one.metric;
        String name = metric.metric();
        String tooMany = tooManyInvalid("canary", one.canary, metric.kind());
        if (tooMany == null) {
            tooMany = tooManyInvalid("baseline", one.baseline, metric.kind());
        }
        if (tooMany != null) {
            return new MetricResult(name, Verdict.INCONCLUSIVE, Double.NaN, Double.NaN, 0,
                    name + ": " + tooMany + ": not judged, and so not passed");
        }
        return metric.kind() == Kind.CONTINUOUS
                ? judgeContinuous(one, level, finalLook)
                : judgeProportion(one, level, finalLook);
    }

    private static MetricResult judgeContinuous(Prepared one, double level, boolean finalLook) {
        MetricComparison metric = one.metric;
        RankSum.Result test = RankSum.test(one.canary, one.baseline, metric.direction(), metric.allowedChange());
        boolean harm = test.pValue() < level;
        String unit = unit(metric.metric());
        String worse = timeLike(metric.metric())
                ? (metric.direction() == Direction.INCREASE_IS_BAD ? "slower" : "faster")
                : (metric.direction() == Direction.INCREASE_IS_BAD ? "higher" : "lower");
        double effect = test.effect();
        String explanation = metric.metric() + ": canary median " + Numbers.value(test.canaryMedian()) + unit
                + " vs baseline " + Numbers.value(test.baselineMedian()) + unit
                + (Double.isNaN(effect) ? "" : " (" + Numbers.change(effect) + ")")
                + comparison("p", test.pValue(), level) + outcome(harm, finalLook, worse, metric);
        return new MetricResult(metric.metric(), harm ? Verdict.FAIL : Verdict.PASS, test.pValue(), effect, level,
                explanation);
    }

    private static MetricResult judgeProportion(Prepared one, double level, boolean finalLook) {
        MetricComparison metric = one.metric;
        ValidSamples canary = one.canary;
        ValidSamples baseline = one.baseline;
        double p = Proportions.pValue(canary.ones, canary.size, baseline.ones, baseline.size, metric.direction(),
                metric.allowedChange());
        boolean harm = p < level;
        double canaryRate = (double) canary.ones / canary.size;
        double baselineRate = (double) baseline.ones / baseline.size;
        double effect = baselineRate == 0 ? Double.NaN : canaryRate / baselineRate - 1;
        String worse = metric.direction() == Direction.INCREASE_IS_BAD ? "a higher rate" : "a lower rate";
        String explanation = metric.metric() + ": canary " + Numbers.rate(canaryRate) + " (" + Numbers.count(canary.ones)
                + " of " + Numbers.count(canary.size) + ") vs baseline " + Numbers.rate(baselineRate) + " ("
                + Numbers.count(baseline.ones) + " of " + Numbers.count(baseline.size) + ")"
                + (Double.isNaN(effect) ? "" : " (" + Numbers.change(effect) + ")")
                + comparison(metric.allowedChange() == 0 ? "Fisher's exact p" : "score-test p", p, level)
                + outcome(harm, finalLook, worse, metric);
        return new MetricResult(metric.metric(), harm ? Verdict.FAIL : Verdict.PASS, p, effect, level, explanation);
    }

    private static String comparison(String what, double p, double level) {
        return ", " + what + " = " + Numbers.probability(p) + (p < level ? " < " : " >= ") + Numbers.probability(level);
    }

    private static String outcome(boolean harm, boolean finalLook, String worse, MetricComparison metric) {
        String than = metric.allowedChange() == 0
                ? "than the baseline"
                : "than the allowed " + Numbers.change(metric.direction() == Direction.INCREASE_IS_BAD
                        ? metric.allowedChange() : -metric.allowedChange());
        if (harm) {
            return ": " + worse + " " + than;
        }
        return finalLook ? ": not shown " + worse + " " + than : ": not shown " + worse + " " + than + " so far";
    }

    private AnalysisResult verdict(List<MetricResult> results, List<Prepared> prepared, double lookLevel, double level,
                                   AnalysisRequest request) {
        int passed = 0;
        int failed = 0;
        List<String> criticalFailures = new ArrayList<>();
        List<String> unjudged = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            MetricResult result = results.get(i);
            if (result.verdict() == Verdict.PASS) {
                passed++;
            } else if (result.verdict() == Verdict.FAIL) {
                failed++;
                if (prepared.get(i).metric.critical()) {
                    criticalFailures.add(result.metric());
                }
            } else {
                unjudged.add(result.metric());
            }
        }
        double score = 100.0 * passed / results.size();
        // only harm that was shown fails a look: a metric that could not be judged (unusable data) is no evidence
        // either way, so it keeps the look from passing but never rolls back by itself
        double scoreUnlessShown = 100.0 * (results.size() - failed) / results.size();
        String scoreText = "score " + Numbers.score(score) + " (" + passed + " of " + results.size() + " metrics pass)";
        Verdict verdict;
        String why;
        if (!criticalFailures.isEmpty()) {
            verdict = Verdict.FAIL;
            why = "critical metric " + String.join(", ", criticalFailures) + " failed; " + scoreText;
        } else if (scoreUnlessShown < config.marginalScore()) {
            verdict = Verdict.FAIL;
            why = scoreText + ", below the marginal score " + Numbers.score(config.marginalScore());
        } else if (!unjudged.isEmpty()) {
            verdict = Verdict.INCONCLUSIVE;
            why = String.join(", ", unjudged) + " could not be judged; " + scoreText;
        } else if (!request.finalLook()) {
            verdict = Verdict.PASS;
            why = lookLevel == 0
                    ? "no level left to spend at " + Numbers.percent(request.progress())
                            + " of the step, so nothing could be found; " + scoreText
                    : "no harm found so far; " + scoreText;
        } else if (score >= config.passScore()) {
            verdict = Verdict.PASS;
            why = scoreText + ", reaching the pass score " + Numbers.score(config.passScore());
        } else {
            verdict = Verdict.INCONCLUSIVE;
            why = scoreText + ", below the pass score " + Numbers.score(config.passScore())
                    + " but not the marginal score " + Numbers.score(config.marginalScore());
        }
        String look = (request.finalLook() ? "final look" : "look at " + Numbers.percent(request.progress())
                + " of the step") + ", level " + Numbers.probability(level) + " per metric ("
                + Numbers.probability(request.alphaSpent() + lookLevel) + " of the step's "
                + Numbers.probability(request.alpha()) + " spent)";
        List<String> parts = new ArrayList<>();
        for (MetricResult result : results) {
            parts.add(result.explanation());
        }
        return new AnalysisResult(verdict, score, lookLevel, results,
                verdict + ": " + why + "; " + look + ". " + String.join("; ", parts));
    }

    private AnalysisResult untested(List<Prepared> prepared, List<String> missing) {
        String reason = String.join("; ", missing);
        List<MetricResult> results = new ArrayList<>(prepared.size());
        for (Prepared one : prepared) {
            results.add(new MetricResult(one.metric.metric(), Verdict.INCONCLUSIVE, Double.NaN, Double.NaN, 0,
                    one.metric.metric() + ": not tested at this look: " + reason));
        }
        return new AnalysisResult(Verdict.INCONCLUSIVE, 0, 0, results,
                "INCONCLUSIVE: too few samples to test at this look, nothing spent: " + reason);
    }

    private static Optional<String> missing(String metric, String version, ValidSamples samples, int needed) {
        if (samples.size >= needed) {
            return Optional.empty();
        }
        return Optional.of(version + " has " + Numbers.count(samples.size) + " of the " + Numbers.count(needed)
                + " " + metric + " samples needed"
                + (samples.invalid > 0 ? " (" + Numbers.count(samples.invalid) + " more were unusable)" : ""));
    }

    /** Why a version's samples cannot be trusted, or null when few enough of them are unusable. */
    private String tooManyInvalid(String version, ValidSamples samples, Kind kind) {
        if (samples.invalidShare() <= config.maxInvalidShare()) {
            return null;
        }
        return Numbers.count(samples.invalid) + " of " + Numbers.count(samples.total()) + " " + version + " samples ("
                + Numbers.percent(samples.invalidShare()) + ") were "
                + (kind == Kind.CONTINUOUS ? "NaN or infinite" : "NaN or neither 0 nor 1") + ", more than the "
                + Numbers.percent(config.maxInvalidShare()) + " allowed";
    }

    private static String unit(String metric) {
        if (metric.endsWith("_ms")) {
            return " ms";
        }
        if (metric.endsWith("_seconds")) {
            return " s";
        }
        if (metric.endsWith("_bytes")) {
            return " bytes";
        }
        return "";
    }

    private static boolean timeLike(String metric) {
        return metric.endsWith("_ms") || metric.endsWith("_seconds") || metric.contains("latency");
    }

    /** A metric's samples, copied out of the request and cleaned. */
    private record Prepared(MetricComparison metric, ValidSamples canary, ValidSamples baseline) {
        static Prepared of(MetricComparison metric) {
            return metric.kind() == Kind.CONTINUOUS
                    ? new Prepared(metric, ValidSamples.continuous(metric.canary()), ValidSamples.continuous(metric.baseline()))
                    : new Prepared(metric, ValidSamples.proportion(metric.canary()), ValidSamples.proportion(metric.baseline()));
        }
    }
}
