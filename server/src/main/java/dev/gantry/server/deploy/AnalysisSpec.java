package dev.gantry.server.deploy;

import static dev.gantry.server.deploy.EnvironmentSpec.invalid;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.gantry.plugin.api.analysis.MetricComparison;
import dev.gantry.plugin.api.metrics.MetricsQuery;
import dev.gantry.server.pipeline.Durations;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How an environment judges canaries (its {@code analysis} section; docs/canary-analysis.md). With it, every canary
 * step that holds compares the new version against fresh baseline instances of the stable version at the same weight,
 * and the bake after promotion is a soak analysis; without it, holds use the simple health gate only.
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record AnalysisSpec(
        Optional<String> analyzer,
        Optional<Double> alpha,
        Optional<String> interval,
        Optional<String> extension,
        Optional<Boolean> soak,
        Optional<List<Metric>> metrics) {

    public static final String DEFAULT_ANALYZER = "mann-whitney";
    public static final double DEFAULT_ALPHA = 0.01;
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    private static final Pattern METRIC_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.:-]{0,62}");
    /** The router's metrics: the default comparison when an environment names none. */
    static final List<Metric> DEFAULT_METRICS = List.of(
            new Metric(MetricsQuery.LATENCY_MS, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.of(0.10), Optional.of(false)),
            new Metric(MetricsQuery.ERROR, Optional.empty(), Optional.empty(), Optional.of("proportion"), Optional.empty(),
                    Optional.of(0.0), Optional.of(true)));

    /**
     * One metric to compare: from the targets' {@code router} source (the default; {@code latency_ms} and
     * {@code error}) or another source by kind with its {@code query} (e.g. PromQL for {@code prometheus}).
     */
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    public record Metric(String name, Optional<String> source, Optional<String> query, Optional<String> kind,
                         Optional<String> direction, Optional<Double> allowedChange, Optional<Boolean> critical) {

        String sourceKind() {
            return source.orElse("router");
        }

        MetricComparison.Kind comparisonKind() {
            return kind.map(k -> MetricComparison.Kind.valueOf(k.toUpperCase(Locale.ROOT)))
                    .orElse(sourceKind().equals("router") && name.equals(MetricsQuery.ERROR)
                            ? MetricComparison.Kind.PROPORTION : MetricComparison.Kind.CONTINUOUS);
        }

        MetricComparison.Direction badDirection() {
            return direction.map(d -> MetricComparison.Direction.valueOf(d.toUpperCase(Locale.ROOT)))
                    .orElse(MetricComparison.Direction.INCREASE_IS_BAD);
        }

        double allowed() {
            return allowedChange.orElse(comparisonKind() == MetricComparison.Kind.PROPORTION ? 0.0 : 0.10);
        }

        boolean isCritical() {
            return critical.orElse(false);
        }
    }

    public String analyzerKind() {
        return analyzer.orElse(DEFAULT_ANALYZER);
    }

    public double totalAlpha() {
        return alpha.orElse(DEFAULT_ALPHA);
    }

    /** How often a holding step is looked at. */
    public Duration lookInterval() {
        return interval.flatMap(Durations::parse).orElse(DEFAULT_INTERVAL);
    }

    /** How long a step that lacks data may extend past its hold before it pauses; by default one more hold. */
    public Duration extensionOf(Duration hold) {
        return extension.flatMap(Durations::parse).orElse(hold);
    }

    public boolean soaks() {
        return soak.orElse(true);
    }

    public List<Metric> metricList() {
        return metrics.orElse(DEFAULT_METRICS);
    }

    void validate() {
        analyzer.filter(kind -> !kind.matches("[a-z0-9][a-z0-9-]{0,62}")).ifPresent(kind -> {
            throw invalid("analysis.analyzer", "name the analyzer kind, such as 'mann-whitney'");
        });
        alpha.filter(value -> !(value > 0 && value <= 0.2)).ifPresent(value -> {
            throw invalid("analysis.alpha", "alpha is the false-rollback rate allowed over a whole deploy, above 0 and at most 0.2, such as 0.01");
        });
        interval.ifPresent(text -> {
            Duration look = Durations.parse(text).orElse(Duration.ZERO);
            if (look.compareTo(Duration.ofSeconds(1)) < 0 || look.compareTo(Durations.MAX) > 0) {
                throw invalid("analysis.interval", "interval is how often a canary is looked at: a duration from 1s to 24h, such as 1m");
            }
        });
        extension.filter(text -> Durations.parse(text).filter(d -> d.compareTo(Durations.MAX) <= 0).isEmpty()).ifPresent(text -> {
            throw invalid("analysis.extension", "extension is a duration such as 5m, at most 24h");
        });
        List<Metric> list = metrics.orElse(DEFAULT_METRICS);
        if (list.isEmpty()) {
            throw invalid("analysis.metrics", "list at least one metric to compare, or leave metrics out for the router's latency_ms and error");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            Metric metric = list.get(i);
            String path = "analysis.metrics[" + i + "]";
            if (metric == null || metric.name() == null || !METRIC_NAME.matcher(metric.name()).matches()) {
                throw invalid(path + ".name", "a metric's name is 1 to 63 letters, digits, '_', '.', ':' or '-'");
            }
            if (!names.add(metric.name())) {
                throw invalid(path + ".name", "the metric '" + metric.name() + "' is listed twice");
            }
            metric.source().filter(kind -> !kind.matches("[a-z0-9][a-z0-9-]{0,62}")).ifPresent(kind -> {
                throw invalid(path + ".source", "name the metrics source kind, such as 'router' or 'prometheus'");
            });
            if (metric.sourceKind().equals("router")) {
                if (!metric.name().equals(MetricsQuery.LATENCY_MS) && !metric.name().equals(MetricsQuery.ERROR)) {
                    throw invalid(path + ".name", "the router records latency_ms and error; for '" + metric.name()
                            + "' name another source, such as prometheus, with its query");
                }
                if (metric.query().isPresent()) {
                    throw invalid(path + ".query", "the router's metrics take no query; a query is for a source such as prometheus");
                }
            } else if (metric.query().filter(q -> !q.isBlank()).isEmpty()) {
                throw invalid(path + ".query", "the source '" + metric.sourceKind() + "' needs the query that computes '"
                        + metric.name() + "', with $version standing for the version");
            }
            metric.kind().filter(k -> !k.equals("continuous") && !k.equals("proportion")).ifPresent(k -> {
                throw invalid(path + ".kind", "kind is 'continuous' (latencies, rates) or 'proportion' (samples of 0 or 1, such as errors)");
            });
            metric.direction().filter(d -> !d.equals("increase_is_bad") && !d.equals("decrease_is_bad")).ifPresent(d -> {
                throw invalid(path + ".direction", "direction is 'increase_is_bad' or 'decrease_is_bad'");
            });
            metric.allowedChange().filter(change -> !(change >= 0 && change <= 10)).ifPresent(change -> {
                throw invalid(path + ".allowed_change", "allowed_change is the relative change tolerated, 0 or more, such as 0.10 for 10%");
            });
        }
    }
}
