package dev.gantry.plugins.deployer.docker;

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
 * The samples the routers of Docker targets record ({@code kind: router}, as the process deployer's): one per request
 * a version answered, with its latency and status. It answers for the process deployer's targets too, and that
 * plugin's source for these, so whichever the server asks finds the target's router.
 */
@Extension
public final class RouterMetricsSource implements MetricsSource {
    private final RouterSamples samples;

    public RouterMetricsSource(PluginContext context) {
        requireNonNull(context, "context is null");
        // the same settings as the deployer: a mistake in them is reported by both
        DockerDeployerConfig.from(context.config());
        this.samples = new RouterSamples(context.dataDirectory(), requireNonNull(context.httpClient(), "httpClient is null"));
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
