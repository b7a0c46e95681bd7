package dev.gantry.plugins.deployer.common;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.deploy.DeployerException;
import dev.gantry.plugin.api.metrics.MetricsQuery;
import dev.gantry.plugin.api.metrics.Sample;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The samples a target's router records, as a {@code router} metrics source answers them: one per request a version
 * answered. {@code latency_ms} is the latency in milliseconds; {@code error} is 1 for a 5xx answer (the router answers
 * 502 when a backend cannot be reached), else 0. A router keeps its samples in memory, so a window from before its last
 * start comes back short.
 *
 * <p>The server asks the {@code router} source of the plugin whose deployer runs the target, so the router is found
 * under the directory that plugin keeps its targets in.
 */
public final class RouterSamples {
    private final Path dataDirectory;
    private final HttpClient httpClient;

    public RouterSamples(Path dataDirectory, HttpClient httpClient) {
        this.dataDirectory = requireNonNull(dataDirectory, "dataDirectory is null").toAbsolutePath().normalize();
        this.httpClient = requireNonNull(httpClient, "httpClient is null");
    }

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
        TargetDirectory own = new TargetDirectory(dataDirectory, query.target());
        RouterClient.Admin admin = router(query).orElseThrow(() -> new DeployerException(
                "no router runs for target " + own.describe() + ", so there are no samples of version "
                        + query.version() + (Routers.everStarted(own) ? " (its router has stopped)"
                        : " (no traffic was ever routed there)")));
        List<RouterClient.RequestSample> requests = new RouterClient(httpClient, admin)
                .samples(query.version(), query.from(), query.to());
        List<Sample> samples = new ArrayList<>(requests.size());
        for (RouterClient.RequestSample request : requests) {
            samples.add(new Sample(request.at(), latency ? request.latencyMs() : request.status() >= 500 ? 1 : 0));
        }
        return samples;
    }

    /** The target's router among this plugin's: the server asks the metrics source of the plugin that deploys the target. */
    private Optional<RouterClient.Admin> router(MetricsQuery query) {
        return Routers.alive(new TargetDirectory(dataDirectory, query.target()));
    }
}
