package dev.gantry.plugins.deployer.process;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.PluginContext;
import dev.gantry.plugin.api.metrics.MetricsQuery;
import dev.gantry.plugin.api.metrics.MetricsSource;
import dev.gantry.plugin.api.metrics.Sample;
import dev.gantry.plugin.api.metrics.SampleKind;
import dev.gantry.plugins.deployer.common.RouterSamples;
import java.util.List;
import org.pf4j.Extension;

/**
 * The samples the process deployer's routers record ({@code kind: router}): one per request a version answered, with
 * its latency and status. {@code latency_ms} is the latency in milliseconds; {@code error} is 1 for a 5xx answer (the
 * router answers 502 when a backend cannot be reached), else 0. A router keeps its samples in memory, so a window
 * from before its last start comes back short.
 */
@Extension
public final class RouterMetricsSource implements MetricsSource {
    private final RouterSamples samples;

    public RouterMetricsSource(PluginContext context) {
        requireNonNull(context, "context is null");
        // the same settings as the deployer: a mistake in them is reported by both, and the routers are found where
        // the deployer keeps them
        ProcessDeployerConfig config = ProcessDeployerConfig.from(context.config());
        this.samples = new RouterSamples(config.directory(context.dataDirectory()),
                requireNonNull(context.httpClient(), "httpClient is null"));
    }

    @Override
    public String kind() {
        return "router";
    }

    @Override
    public SampleKind sampleKind() {
        return SampleKind.PER_REQUEST;
    }

    @Override
    public List<Sample> samples(MetricsQuery query) {
        return samples.samples(query);
    }
}
