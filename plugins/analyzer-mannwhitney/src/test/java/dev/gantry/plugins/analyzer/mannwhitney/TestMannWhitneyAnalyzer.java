package dev.gantry.plugins.analyzer.mannwhitney;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.PluginContext;
import dev.gantry.plugin.api.analysis.AnalysisRequest;
import dev.gantry.plugin.api.analysis.AnalysisResult;
import dev.gantry.plugin.api.analysis.AnalysisResult.MetricResult;
import dev.gantry.plugin.api.analysis.AnalysisResult.Verdict;
import dev.gantry.plugin.api.analysis.MetricComparison;
import dev.gantry.plugin.api.analysis.MetricComparison.Direction;
import dev.gantry.plugin.api.analysis.MetricComparison.Kind;
import dev.gantry.plugin.api.metrics.SampleKind;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TestMannWhitneyAnalyzer {
    private static final double ALPHA = 0.0025;
    private final MannWhitneyAnalyzer analyzer = new MannWhitneyAnalyzer(MannWhitneyConfig.DEFAULTS);
    private final SplittableRandom random = new SplittableRandom(2026);

    @Test
    void rollsBackWhenCanaryLatencyRegresses() {
        AnalysisResult result = analyzer.analyze(look(0.4, false,
                latency(logNormal(3000, 1), logNormal(3000, 1.5)), error(errors(3000, 15), errors(3000, 15))));

        assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(result.score()).isEqualTo(50);
        assertThat(result.alphaSpent()).isCloseTo(0.064 * ALPHA, within(1e-15));
        MetricResult latency = result.metrics().get(0);
        assertThat(latency.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(latency.effect()).isCloseTo(0.5, within(0.05));
        assertThat(latency.level()).isCloseTo(0.064 * ALPHA / 2, within(1e-15));
        assertThat(latency.pValue()).isLessThan(latency.level());
        assertThat(latency.explanation()).endsWith(": slower than the allowed +10%");
        assertThat(result.metrics().get(1).verdict()).isEqualTo(Verdict.PASS);
        assertThat(result.explanation()).startsWith("FAIL: score 50 (1 of 2 metrics pass), below the marginal score 75; "
                + "look at 40% of the step, level 8e-5 per metric (0.00016 of the step's 0.0025 spent). latency_ms: ");
    }

    @Test
    void explainsAMetricInPlainWords() {
        // medians 31.2 and 20.4 ms; every canary value above every baseline value
        double[] baseline = new double[101];
        double[] canary = new double[101];
        for (int i = 0; i < 101; i++) {
            baseline[i] = 20.4 + (i - 50) * 0.01;
            canary[i] = 31.2 + (i - 50) * 0.01;
        }
        AnalysisResult result = analyzer.analyze(look(0.6, false, latency(baseline, canary),
                error(errors(101, 0), errors(101, 0))));

        String explanation = result.metrics().get(0).explanation();
        assertThat(explanation).matches("latency_ms: canary median 31\\.2 ms vs baseline 20\\.4 ms \\(\\+53%\\), "
                + "p = \\d(\\.\\d)?e-\\d+ < 0\\.00027: slower than the allowed \\+10%");
        assertThat(result.metrics().get(1).explanation()).isEqualTo("error: canary 0.00% (0 of 101) vs baseline 0.00% "
                + "(0 of 101), Fisher's exact p = 1 >= 0.00027: not shown a higher rate than the baseline so far");
    }

    @Test
    void passesWhenTheCanaryIsNoWorse() {
        List<MetricComparison> metrics = List.of(latency(logNormal(3000, 1), logNormal(3000, 1)),
                error(errors(3000, 15), errors(3000, 15)));

        AnalysisResult interim = analyzer.analyze(look(0.2, false, metrics));
        AnalysisResult last = analyzer.analyze(new AnalysisRequest(metrics, ALPHA, 0.512 * ALPHA, 1, true));

        assertThat(interim.verdict()).isEqualTo(Verdict.PASS);
        assertThat(interim.explanation()).startsWith("PASS: no harm found so far; score 100 (2 of 2 metrics pass)");
        assertThat(last.verdict()).isEqualTo(Verdict.PASS);
        assertThat(last.score()).isEqualTo(100);
        assertThat(last.alphaSpent()).isCloseTo(0.488 * ALPHA, within(1e-15));
        assertThat(last.explanation()).startsWith("PASS: score 100 (2 of 2 metrics pass), reaching the pass score 95; final look");
    }

    @Test
    void aCriticalMetricThatFailsFailsTheLookWhateverTheScore() {
        List<MetricComparison> metrics = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            metrics.add(continuous("latency_" + i + "_ms", logNormal(2000, 1), logNormal(2000, 1), false));
        }
        metrics.add(error(errors(9000, 45), errors(9000, 135)));

        AnalysisResult result = analyzer.analyze(look(1, true, metrics));

        assertThat(result.score()).isEqualTo(80);
        assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(result.explanation()).startsWith("FAIL: critical metric error failed; score 80 (4 of 5 metrics pass)");
        MetricResult error = result.metrics().get(4);
        assertThat(error.effect()).isCloseTo(2, within(1e-12));
        assertThat(error.explanation()).startsWith("error: canary 1.50% (135 of 9,000) vs baseline 0.50% (45 of 9,000) "
                + "(+200%), Fisher's exact p = ").endsWith(": a higher rate than the baseline");
    }

    @Test
    void aNonCriticalFailureOnlyLowersTheScore() {
        List<MetricComparison> metrics = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            metrics.add(continuous("latency_" + i + "_ms", logNormal(2000, 1), logNormal(2000, 1), false));
        }
        metrics.add(continuous("cpu_seconds", logNormal(2000, 1), logNormal(2000, 2), false));

        AnalysisResult interim = analyzer.analyze(look(0.8, false, metrics));
        AnalysisResult last = analyzer.analyze(new AnalysisRequest(metrics, ALPHA, 0.512 * ALPHA, 1, true));

        assertThat(interim.score()).isEqualTo(80);
        assertThat(interim.verdict()).isEqualTo(Verdict.PASS);
        assertThat(last.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(last.explanation()).startsWith("INCONCLUSIVE: score 80 (4 of 5 metrics pass), below the pass score 95 "
                + "but not the marginal score 75");
    }

    @Test
    void aLookWithTooFewSamplesTestsNothingAndSpendsNothing() {
        AnalysisResult result = analyzer.analyze(look(1, true,
                latency(logNormal(120, 1), logNormal(37, 5)), error(errors(120, 0), errors(37, 0))));

        assertThat(result.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(result.alphaSpent()).isZero();
        assertThat(result.score()).isZero();
        assertThat(result.explanation()).isEqualTo("INCONCLUSIVE: too few samples to test at this look, nothing spent: "
                + "canary has 37 of the 100 latency_ms samples needed; canary has 37 of the 100 error samples needed");
        assertThat(result.metrics()).allSatisfy(metric -> {
            assertThat(metric.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
            assertThat(metric.pValue()).isNaN();
            assertThat(metric.level()).isZero();
        });
    }

    @Test
    void perIntervalMetricsNeedTenSamplesEach() {
        MetricComparison nine = new MetricComparison("requests_per_second", Kind.CONTINUOUS, SampleKind.PER_INTERVAL,
                logNormal(10, 1), logNormal(9, 1), Direction.DECREASE_IS_BAD, 0.1, false);
        MetricComparison ten = new MetricComparison("requests_per_second", Kind.CONTINUOUS, SampleKind.PER_INTERVAL,
                logNormal(10, 1), logNormal(10, 1), Direction.DECREASE_IS_BAD, 0.1, false);

        assertThat(analyzer.analyze(look(0.2, false, nine)).explanation())
                .endsWith("canary has 9 of the 10 requests_per_second samples needed");
        assertThat(analyzer.analyze(look(0.2, false, ten)).verdict()).isEqualTo(Verdict.PASS);
    }

    @Test
    void aFewNanSamplesAreDroppedAndCounted() {
        double[] baseline = logNormal(1000, 1);
        double[] canary = logNormal(1000, 1.3);
        double[] withNan = Arrays.copyOf(canary, 1010);
        Arrays.fill(withNan, 1000, 1005, Double.NaN);
        Arrays.fill(withNan, 1005, 1010, Double.POSITIVE_INFINITY);

        MetricResult clean = analyzer.analyze(look(0.6, false, latency(baseline, canary))).metrics().get(0);
        MetricResult dropped = analyzer.analyze(look(0.6, false, latency(baseline, withNan))).metrics().get(0);

        // 10 of 1,010 is under 1%: judged on the 1,000 valid samples alone
        assertThat(dropped.verdict()).isEqualTo(clean.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(dropped.pValue()).isEqualTo(clean.pValue());
    }

    @Test
    void tooManyNanSamplesMakeTheMetricInconclusiveAndNeverAPass() {
        double[] canary = logNormal(1000, 1);
        Arrays.fill(canary, 0, 20, Double.NaN);
        AnalysisResult result = analyzer.analyze(look(1, true,
                latency(logNormal(1000, 1), canary), error(errors(1000, 5), errors(1000, 5))));

        MetricResult latency = result.metrics().get(0);
        assertThat(latency.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(latency.pValue()).isNaN();
        assertThat(latency.level()).isZero();
        assertThat(latency.explanation()).isEqualTo("latency_ms: 20 of 1,000 canary samples (2%) were NaN or infinite, "
                + "more than the 1% allowed: not judged, and so not passed");
        // unusable data is no evidence of harm: the look does not pass, and it does not roll back either
        assertThat(result.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(result.score()).isEqualTo(50);
        assertThat(result.explanation()).contains("latency_ms could not be judged");
    }

    @Test
    void onlyNanSamplesAreTooFewSamples() {
        double[] canary = new double[1000];
        Arrays.fill(canary, Double.NaN);

        AnalysisResult result = analyzer.analyze(look(0.2, false, latency(logNormal(1000, 1), canary)));

        assertThat(result.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(result.alphaSpent()).isZero();
        assertThat(result.explanation()).endsWith(
                "canary has 0 of the 100 latency_ms samples needed (1,000 more were unusable)");
    }

    @Test
    void errorSamplesOtherThanZeroAndOneAreUnusable() {
        double[] canary = errors(1000, 3);
        Arrays.fill(canary, 900, 1000, 0.5);

        MetricResult error = analyzer.analyze(look(0.2, false, error(errors(1000, 3), canary))).metrics().get(0);

        assertThat(error.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(error.explanation()).contains("were NaN or neither 0 nor 1");
    }

    @Test
    void noErrorsOnEitherSideIsAPass() {
        MetricResult error = analyzer.analyze(look(1, true, error(errors(500, 0), errors(500, 0)))).metrics().get(0);

        assertThat(error.verdict()).isEqualTo(Verdict.PASS);
        assertThat(error.pValue()).isEqualTo(1);
        assertThat(error.effect()).isNaN();
    }

    @Test
    void aDoubledErrorRateFailsTheCriticalErrorMetric() {
        AnalysisResult result = analyzer.analyze(look(1, true,
                latency(logNormal(9000, 1), logNormal(9000, 1)), error(errors(9000, 45), errors(9000, 90))));

        assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(result.metrics().get(1).effect()).isCloseTo(1, within(1e-12));
    }

    @Test
    void aThroughputDropFailsAMetricWhereDecreaseIsBad() {
        MetricComparison throughput = new MetricComparison("requests_per_second", Kind.CONTINUOUS,
                SampleKind.PER_INTERVAL, logNormal(60, 1), logNormal(60, 0.5), Direction.DECREASE_IS_BAD, 0.1, false);

        MetricResult result = analyzer.analyze(look(1, true, throughput)).metrics().get(0);

        assertThat(result.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(result.effect()).isCloseTo(-0.5, within(0.15));
        assertThat(result.explanation()).endsWith(": lower than the allowed -10%");
    }

    @Test
    void theFinalLookSpendsWhatIsLeft() {
        List<MetricComparison> metrics = List.of(latency(logNormal(500, 1), logNormal(500, 1)));

        AnalysisResult result = analyzer.analyze(new AnalysisRequest(metrics, ALPHA, 0.001, 1, true));

        assertThat(result.alphaSpent()).isCloseTo(ALPHA - 0.001, within(1e-15));
        assertThat(0.001 + result.alphaSpent()).isLessThanOrEqualTo(ALPHA);
        assertThat(result.metrics().get(0).level()).isEqualTo(result.alphaSpent());
    }

    @Test
    void aLookWithNothingLeftToSpendFindsNothing() {
        AnalysisResult result = analyzer.analyze(look(0, false,
                latency(logNormal(500, 1), logNormal(500, 3))));

        assertThat(result.verdict()).isEqualTo(Verdict.PASS);
        assertThat(result.alphaSpent()).isZero();
        assertThat(result.explanation()).startsWith("PASS: no level left to spend at 0% of the step, so nothing could be found");
    }

    @Test
    void noMetricsIsInconclusive() {
        AnalysisResult result = analyzer.analyze(new AnalysisRequest(List.of(), ALPHA, 0, 1, true));

        assertThat(result.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(result.alphaSpent()).isZero();
    }

    @Test
    void isBuiltFromThePluginContextAndReadsItsSettings() {
        MannWhitneyAnalyzer fromContext = new MannWhitneyAnalyzer(context(Map.of("min-samples-per-request", "40")));

        assertThat(fromContext.kind()).isEqualTo("mann-whitney");
        assertThat(fromContext.analyze(look(0.2, false, latency(logNormal(40, 1), logNormal(40, 1)))).verdict())
                .isEqualTo(Verdict.PASS);
        assertThatThrownBy(() -> new MannWhitneyAnalyzer(context(Map.of("pass-score", "high"))))
                .hasMessageContaining("plugin.analyzer-mannwhitney.pass-score");
    }

    private static PluginContext context(Map<String, String> settings) {
        PluginConfig config = new PluginConfig(settings);
        return (PluginContext) Proxy.newProxyInstance(PluginContext.class.getClassLoader(),
                new Class<?>[] {PluginContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("config")) {
                        return config;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static AnalysisRequest look(double progress, boolean finalLook, MetricComparison... metrics) {
        return look(progress, finalLook, List.of(metrics));
    }

    private static AnalysisRequest look(double progress, boolean finalLook, List<MetricComparison> metrics) {
        return new AnalysisRequest(metrics, ALPHA, 0, progress, finalLook);
    }

    private static MetricComparison latency(double[] baseline, double[] canary) {
        return continuous("latency_ms", baseline, canary, false);
    }

    private static MetricComparison continuous(String name, double[] baseline, double[] canary, boolean critical) {
        return new MetricComparison(name, Kind.CONTINUOUS, SampleKind.PER_REQUEST, baseline, canary,
                Direction.INCREASE_IS_BAD, 0.10, critical);
    }

    private static MetricComparison error(double[] baseline, double[] canary) {
        return new MetricComparison("error", Kind.PROPORTION, SampleKind.PER_REQUEST, baseline, canary,
                Direction.INCREASE_IS_BAD, 0, true);
    }

    /** Log-normal latencies, median 20 ms times {@code factor}, sigma 0.5. */
    private double[] logNormal(int n, double factor) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = factor * 20 * Math.exp(0.5 * random.nextGaussian());
        }
        return values;
    }

    /** {@code n} error samples of which the first {@code ones} are errors. */
    private static double[] errors(int n, int ones) {
        double[] values = new double[n];
        Arrays.fill(values, 0, ones, 1);
        return values;
    }
}
