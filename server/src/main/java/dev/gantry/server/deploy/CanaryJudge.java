package dev.gantry.server.deploy;

import dev.gantry.plugin.api.analysis.AnalysisRequest;
import dev.gantry.plugin.api.analysis.AnalysisResult;
import dev.gantry.plugin.api.analysis.CanaryAnalyzer;
import dev.gantry.plugin.api.analysis.MetricComparison;
import dev.gantry.plugin.api.metrics.MetricsQuery;
import dev.gantry.plugin.api.metrics.MetricsSource;
import dev.gantry.plugin.api.metrics.Sample;
import dev.gantry.plugin.api.metrics.SampleKind;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.plugins.Extension;
import dev.gantry.server.plugins.PluginHost;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Looks at an analysed hold (docs/canary-analysis.md): reads the samples of both sides from the environment's metrics
 * sources, asks its analyzer, stores the report and tells the controller what to do. The environment's false-alarm
 * level is split evenly over the analysed steps of the plan; within a step, the analyzer spends its share over the
 * looks, and what the looks since the step (re)started have spent is read back from the stored reports, so a
 * takeover by another replica spends nothing twice.
 */
class CanaryJudge {
    private final Database database;
    private final DeployTargets targets;
    private final PluginHost plugins;
    private final AnalysisReports reports;

    @Inject
    CanaryJudge(Database database, DeployTargets targets, PluginHost plugins, AnalysisReports reports) {
        this.database = database;
        this.targets = targets;
        this.plugins = plugins;
        this.reports = reports;
    }

    /** What the controller does after a look. */
    sealed interface Decision {
        /** Look again in {@code millis}. */
        record Continue(long millis) implements Decision {
        }

        record Promote(String reason) implements Decision {
        }

        record Rollback(String reason) implements Decision {
        }

        /** Too little data even after the extension, or a marginal score: a person decides. */
        record Pause(String reason) implements Decision {
        }
    }

    Decision look(DeployRow deploy, PlanStep step, List<DeployTargets.Bound> bound, EnvironmentSpec environment) {
        // a plan made with analysis keeps it even if the environment's section was removed since: defaults then
        AnalysisSpec spec = environment.analysis().orElse(new AnalysisSpec(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
        Instant now = deploy.now();
        Instant start = deploy.stepStartedAt().orElse(now);
        long hold = Math.max(1, step.durationMs());
        long elapsed = deploy.msInStep();
        long interval = spec.lookInterval().toMillis();
        long deadline = hold + spec.extensionOf(Duration.ofMillis(hold)).toMillis();
        AnalysisReports.StepLooks prior = database.inSqlTransaction(connection ->
                reports.looks(connection, deploy.id(), deploy.step(), start));
        boolean finalLook = elapsed >= hold;
        Instant holdEnd = start.plusMillis(hold);
        if (prior.lastAt().isPresent()) {
            Instant next = prior.lastAt().get().plusMillis(interval);
            boolean finalLookDue = finalLook && prior.lastAt().get().isBefore(holdEnd);
            if (now.isBefore(next) && !finalLookDue) {
                long untilNext = next.toEpochMilli() - now.toEpochMilli();
                return new Decision.Continue(finalLook ? untilNext : Math.min(untilNext, hold - elapsed));
            }
        }
        double stepAlpha = spec.totalAlpha() / Math.max(1, analysedSteps(deploy.plan()));
        double progress = Math.min(1.0, (double) elapsed / hold);

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("step", deploy.step());
        report.put("kind", step.analysis().id());
        report.put("label", step.label());
        report.put("look", prior.count() + 1);
        report.put("looked_at", now.toString());
        report.put("window_started_at", start.toString());
        report.put("final_look", finalLook);
        report.put("progress", SampleSummary.round(progress));
        report.put("analyzer", spec.analyzerKind());
        report.put("canary_version", step.version());
        report.put("baseline_version", step.analysis() == PlanStep.Analysis.CANARY ? step.baseline()
                : step.version() + " in the soak's first " + interval / 1000.0 + " s");

        AnalysisResult result;
        List<MetricComparison> comparisons = new ArrayList<>();
        Optional<String> problem = Optional.empty();
        for (AnalysisSpec.Metric metric : spec.metricList()) {
            try {
                comparisons.add(compare(deploy, step, bound, metric, start, now, interval));
            } catch (RuntimeException e) {
                problem = Optional.of("could not read " + metric.name() + " from the " + metric.sourceKind() + " source: "
                        + e.getMessage());
                break;
            }
        }
        if (problem.isEmpty()) {
            Optional<CanaryAnalyzer> analyzer = analyzer(spec.analyzerKind());
            if (analyzer.isEmpty()) {
                problem = Optional.of("no enabled plugin provides the analyzer '" + spec.analyzerKind() + "'");
            } else {
                try {
                    result = analyzer.get().analyze(new AnalysisRequest(comparisons, stepAlpha,
                            Math.min(prior.alphaSpent(), stepAlpha), progress, finalLook));
                    return decide(deploy, step, report, comparisons, spec, result, finalLook, elapsed, deadline, interval, stepAlpha, prior);
                } catch (RuntimeException e) {
                    problem = Optional.of("the analyzer '" + spec.analyzerKind() + "' failed: " + e.getMessage());
                }
            }
        }
        // data that cannot be read is missing data: never a pass
        result = new AnalysisResult(AnalysisResult.Verdict.INCONCLUSIVE, 0, 0, List.of(), problem.get());
        return decide(deploy, step, report, comparisons, spec, result, finalLook, elapsed, deadline, interval, stepAlpha, prior);
    }

    private Decision decide(DeployRow deploy, PlanStep step, Map<String, Object> report, List<MetricComparison> comparisons,
                            AnalysisSpec spec, AnalysisResult result, boolean finalLook, long elapsed, long deadline,
                            long interval, double stepAlpha, AnalysisReports.StepLooks prior) {
        String where = step.analysis() == PlanStep.Analysis.CANARY ? step.label() : "the soak after promotion";
        Decision decision;
        String name;
        if (result.verdict() == AnalysisResult.Verdict.FAIL) {
            decision = new Decision.Rollback("canary analysis failed (" + where + "): " + result.explanation());
            name = "rollback";
        } else if (!finalLook) {
            decision = new Decision.Continue(interval);
            name = "continue";
        } else if (result.verdict() == AnalysisResult.Verdict.PASS) {
            decision = new Decision.Promote("canary analysis passed (" + where + "): " + result.explanation());
            name = "promote";
        } else if (result.alphaSpent() == 0 && elapsed < deadline) {
            // too little data to test: the window extends, up to the environment's extension
            decision = new Decision.Continue(interval);
            name = "extend";
        } else {
            decision = new Decision.Pause("canary analysis is inconclusive (" + where + "): " + result.explanation()
                    + "; promote or roll back");
            name = "pause";
        }
        report.put("verdict", result.verdict().name().toLowerCase(Locale.ROOT));
        report.put("decision", name);
        report.put("score", SampleSummary.round(result.score()));
        report.put("explanation", result.explanation());
        report.put("alpha", Map.of("deploy", spec.totalAlpha(), "step", stepAlpha,
                "spent_before", prior.alphaSpent(), "spent_now", result.alphaSpent()));
        List<Map<String, Object>> metrics = new ArrayList<>();
        for (MetricComparison comparison : comparisons) {
            Map<String, Object> metric = new LinkedHashMap<>();
            metric.put("metric", comparison.metric());
            metric.put("kind", comparison.kind().name().toLowerCase(Locale.ROOT));
            metric.put("sample_kind", comparison.sampleKind().name().toLowerCase(Locale.ROOT));
            metric.put("direction", comparison.direction().name().toLowerCase(Locale.ROOT));
            metric.put("allowed_change", comparison.allowedChange());
            metric.put("critical", comparison.critical());
            result.metrics().stream().filter(r -> r.metric().equals(comparison.metric())).findFirst().ifPresent(r -> {
                metric.put("verdict", r.verdict().name().toLowerCase(Locale.ROOT));
                metric.put("p_value", finite(r.pValue()));
                metric.put("effect", finite(SampleSummary.round(r.effect())));
                metric.put("level", finite(r.level()));
                metric.put("explanation", r.explanation());
            });
            metric.putAll(SampleSummary.compare(comparison.kind(), comparison.canary(), comparison.baseline()));
            metrics.add(metric);
        }
        report.put("metrics", metrics);
        String verdict = result.verdict().name().toLowerCase(Locale.ROOT);
        database.inSqlTransaction(connection -> {
            reports.record(connection, deploy.id(), deploy.step(), step.analysis().id(), deploy.now(), verdict, name,
                    result.alphaSpent(), report);
            return null;
        });
        return decision;
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }

    /** Both sides of one metric, pooled over the step's targets. */
    private MetricComparison compare(DeployRow deploy, PlanStep step, List<DeployTargets.Bound> bound, AnalysisSpec.Metric metric,
                                     Instant start, Instant now, long interval) {
        SampleKind sampleKind = SampleKind.PER_REQUEST;
        List<Double> canary = new ArrayList<>();
        List<Double> baseline = new ArrayList<>();
        for (DeployTargets.Bound target : bound) {
            MetricsSource source = targets.metricsSource(target, metric.sourceKind());
            sampleKind = source.sampleKind();
            if (step.analysis() == PlanStep.Analysis.CANARY) {
                read(source, target, step.version(), metric, start, now, canary);
                read(source, target, step.baseline(), metric, start, now, baseline);
            } else {
                // a soak compares the promoted version with itself at the start of the soak: a slow leak shows as drift
                Instant split = start.plusMillis(interval);
                if (now.isAfter(split)) {
                    read(source, target, step.version(), metric, start, split, baseline);
                    read(source, target, step.version(), metric, split, now, canary);
                }
            }
        }
        return new MetricComparison(metric.name(), metric.comparisonKind(), sampleKind, unbox(baseline), unbox(canary),
                metric.badDirection(), metric.allowed(), metric.isCritical());
    }

    private static void read(MetricsSource source, DeployTargets.Bound target, String version, AnalysisSpec.Metric metric,
                             Instant from, Instant to, List<Double> into) {
        if (!from.isBefore(to)) {
            return;
        }
        for (Sample sample : source.samples(new MetricsQuery(target.target(), version, metric.name(), metric.query(), from, to))) {
            into.add(sample.value());
        }
    }

    private static double[] unbox(List<Double> values) {
        double[] array = new double[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        return array;
    }

    private Optional<CanaryAnalyzer> analyzer(String kind) {
        return plugins.extensions(CanaryAnalyzer.class).stream().map(Extension::instance)
                .filter(analyzer -> analyzer.kind().equals(kind)).findFirst();
    }

    static long analysedSteps(List<PlanStep> plan) {
        return plan.stream().filter(step -> step.analysis() != null).count();
    }
}
