package dev.gantry.server.http;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The server's metrics registry, exported at {@code /metrics}: JVM, HTTP, and what plugins register. */
public final class ServerMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram httpRequests;
    private final Counter httpErrors;

    public ServerMetrics() {
        JvmMetrics.builder().register(registry);
        httpRequests = Histogram.builder()
                .name("gantry_http_request_duration_seconds")
                .help("HTTP requests served, by method, route and status")
                .labelNames("method", "route", "status")
                .register(registry);
        httpErrors = Counter.builder()
                .name("gantry_http_server_errors_total")
                .help("HTTP responses with a 5xx status, by route")
                .labelNames("route")
                .register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    void recordRequest(String method, String route, int status, double seconds) {
        httpRequests.labelValues(method, route, Integer.toString(status)).observe(seconds);
        if (status >= 500) {
            httpErrors.labelValues(route).inc();
        }
    }
}
