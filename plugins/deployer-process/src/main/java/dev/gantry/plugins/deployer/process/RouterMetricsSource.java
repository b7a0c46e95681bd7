package dev.gantry.plugins.deployer.process;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.PluginContext;
import dev.gantry.plugin.api.deploy.DeployerException;
import dev.gantry.plugin.api.metrics.MetricsQuery;
import dev.gantry.plugin.api.metrics.MetricsSource;
import dev.gantry.plugin.api.metrics.Sample;
import dev.gantry.plugin.api.metrics.SampleKind;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
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
    private final Path dataDirectory;
    private final HttpClient httpClient;

    public RouterMetricsSource(PluginContext context) {
        requireNonNull(context, "context is null");
        // the same settings as the deployer: a mistake in them is reported by both
        ProcessDeployerConfig.from(context.config());
        this.dataDirectory = context.dataDirectory().toAbsolutePath().normalize();
        this.httpClient = requireNonNull(context.httpClient(), "httpClient is null");
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
        requireNonNull(query, "query is null");
        boolean latency = switch (query.metric()) {
            case MetricsQuery.LATENCY_MS -> true;
            case MetricsQuery.ERROR -> false;
            default -> throw new IllegalArgumentException("the router has no metric '" + query.metric()
                    + "'; it records " + MetricsQuery.LATENCY_MS + " and " + MetricsQuery.ERROR);
        };
        if (!query.from().isBefore(query.to())) {
            return List.of();
        }
        TargetDirectory target = new TargetDirectory(dataDirectory, query.target());
        RouterClient.Admin admin = Routers.alive(target).orElseThrow(() -> new DeployerException(
                "no router runs for target " + target.describe() + ", so there are no samples of version "
                        + query.version() + (Routers.everStarted(target) ? " (its router has stopped)"
                        : " (no traffic was ever routed there by the process deployer)")));
        List<RouterClient.RequestSample> requests = new RouterClient(httpClient, admin)
                .samples(query.version(), query.from(), query.to());
        List<Sample> samples = new ArrayList<>(requests.size());
        for (RouterClient.RequestSample request : requests) {
            samples.add(new Sample(request.at(), latency ? request.latencyMs() : request.status() >= 500 ? 1 : 0));
        }
        return samples;
    }
}
