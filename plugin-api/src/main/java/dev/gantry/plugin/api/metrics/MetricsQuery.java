package dev.gantry.plugin.api.metrics;

import dev.gantry.plugin.api.deploy.DeployTarget;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Samples of {@code metric} for one version on one target in [{@code from}, {@code to}). The router's metrics are
 * {@code latency_ms} (milliseconds per request) and {@code error} (1 for a 5xx or failed request, else 0). A source
 * that evaluates user-defined expressions (e.g. PromQL) gets the expression in {@code query}, with {@code $service},
 * {@code $environment}, {@code $target} and {@code $version} standing for the query's values.
 */
public record MetricsQuery(DeployTarget target, String version, String metric, Optional<String> query, Instant from,
                           Instant to) {
    public static final String LATENCY_MS = "latency_ms";
    public static final String ERROR = "error";

    public MetricsQuery {
        Objects.requireNonNull(target, "target is null");
        Objects.requireNonNull(version, "version is null");
        Objects.requireNonNull(metric, "metric is null");
        Objects.requireNonNull(query, "query is null");
        Objects.requireNonNull(from, "from is null");
        Objects.requireNonNull(to, "to is null");
    }

    /** A query of a metric the source knows by name. */
    public MetricsQuery(DeployTarget target, String version, String metric, Instant from, Instant to) {
        this(target, version, metric, Optional.empty(), from, to);
    }
}
