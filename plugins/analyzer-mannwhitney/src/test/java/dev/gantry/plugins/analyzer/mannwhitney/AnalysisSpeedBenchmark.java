package dev.gantry.plugins.analyzer.mannwhitney;

import dev.gantry.plugin.api.analysis.AnalysisRequest;
import dev.gantry.plugin.api.analysis.AnalysisResult;
import dev.gantry.plugin.api.analysis.MetricComparison;
import dev.gantry.plugin.api.analysis.MetricComparison.Direction;
import dev.gantry.plugin.api.analysis.MetricComparison.Kind;
import dev.gantry.plugin.api.metrics.SampleKind;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The time of one analysis of the default metrics, a log-normal latency (median 20 ms) and a 0.5% error proportion,
 * with {@code samples} values per version: the analyzer as shipped ({@link #analyze}), and the same latency statistic
 * computed from commons-math3's NaturalRanking ({@link #analyzeWithLibraryRanking}) for comparison. Run by
 * scripts/bench-analysis-speed; a benchmark, not a test.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class AnalysisSpeedBenchmark {
    @Param("9000")
    public int samples;

    private MannWhitneyAnalyzer analyzer;
    private AnalysisRequest request;
    private double[] baselineLatency;
    private double[] canaryLatency;
    private double[] baselineErrors;
    private double[] canaryErrors;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(20261125);
        baselineLatency = new double[samples];
        canaryLatency = new double[samples];
        baselineErrors = new double[samples];
        canaryErrors = new double[samples];
        for (int i = 0; i < samples; i++) {
            baselineLatency[i] = 20 * Math.exp(0.5 * random.nextGaussian());
            canaryLatency[i] = 20 * Math.exp(0.5 * random.nextGaussian());
            baselineErrors[i] = random.nextDouble() < 0.005 ? 1 : 0;
            canaryErrors[i] = random.nextDouble() < 0.005 ? 1 : 0;
        }
        analyzer = new MannWhitneyAnalyzer(MannWhitneyConfig.DEFAULTS);
        request = new AnalysisRequest(List.of(
                new MetricComparison("latency_ms", Kind.CONTINUOUS, SampleKind.PER_REQUEST, baselineLatency,
                        canaryLatency, Direction.INCREASE_IS_BAD, 0.10, false),
                new MetricComparison("error", Kind.PROPORTION, SampleKind.PER_REQUEST, baselineErrors, canaryErrors,
                        Direction.INCREASE_IS_BAD, 0, true)),
                0.0025, 0.0003, 0.6, false);
    }

    @Benchmark
    public AnalysisResult analyze() {
        return analyzer.analyze(request);
    }

    /** The latency test from NaturalRanking of the pooled values, plus the same error test. */
    @Benchmark
    public double analyzeWithLibraryRanking() {
        double[] canary = ValidSamples.continuous(canaryLatency.clone()).values;
        double[] baseline = ValidSamples.continuous(baselineLatency.clone()).values;
        LibraryRankSum.Result latency = LibraryRankSum.test(canary, baseline, Direction.INCREASE_IS_BAD, 0.10);
        ValidSamples canaryErrorCounts = ValidSamples.proportion(canaryErrors.clone());
        ValidSamples baselineErrorCounts = ValidSamples.proportion(baselineErrors.clone());
        double errors = Proportions.pValue(canaryErrorCounts.ones, canaryErrorCounts.size, baselineErrorCounts.ones,
                baselineErrorCounts.size, Direction.INCREASE_IS_BAD, 0);
        return latency.pValue() + errors;
    }
}
