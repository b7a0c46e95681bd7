package dev.gantry.server.plugins;

import dev.gantry.plugin.api.PluginMetrics;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** Plugin metrics in the server's registry: {@code gantry_plugin_<name>}, labelled with the plugin id. */
final class PrometheusPluginMetrics {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,100}");
    private final PrometheusRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Histogram> timers = new ConcurrentHashMap<>();

    PrometheusPluginMetrics(PrometheusRegistry registry) {
        this.registry = registry;
    }

    PluginMetrics forPlugin(String pluginId) {
        return new PluginMetrics() {
            @Override
            public Counter counter(String name, String help) {
                io.prometheus.metrics.core.metrics.Counter counter = counters.computeIfAbsent(checked(name) + "_total",
                        full -> io.prometheus.metrics.core.metrics.Counter.builder().name("gantry_plugin_" + name)
                                .help(help).labelNames("plugin").register(registry));
                return () -> counter.labelValues(pluginId).inc();
            }

            @Override
            public Timer timer(String name, String help) {
                Histogram histogram = timers.computeIfAbsent(checked(name) + "_seconds",
                        full -> Histogram.builder().name("gantry_plugin_" + full).help(help).labelNames("plugin").register(registry));
                return duration -> histogram.labelValues(pluginId).observe(duration.toNanos() / 1e9);
            }
        };
    }

    private static String checked(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric name '" + name + "' must be lowercase letters, digits and '_'");
        }
        return name;
    }
}
