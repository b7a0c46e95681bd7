package dev.gantry.plugin.api.metrics;

import java.time.Instant;
import java.util.Objects;

/** Samples of {@code metric} (e.g. {@code latency_ms}, {@code error}) for one version in [{@code from}, {@code to}). */
public record MetricsQuery(String service, String environment, String version, String metric, Instant from, Instant to) {
    public MetricsQuery {
        Objects.requireNonNull(service, "service is null");
        Objects.requireNonNull(environment, "environment is null");
        Objects.requireNonNull(version, "version is null");
        Objects.requireNonNull(metric, "metric is null");
        Objects.requireNonNull(from, "from is null");
        Objects.requireNonNull(to, "to is null");
    }
}
