package dev.gantry.plugins.deployer.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.ExtensionFailedException;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.deploy.DeployTarget;
import dev.gantry.plugin.api.metrics.MetricsQuery;
import dev.gantry.plugin.api.metrics.Sample;
import dev.gantry.plugins.metrics.prometheus.PrometheusMetricsSource;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process deployer's Prometheus discovery files read by a real Prometheus, and what it scraped read back through
 * the prometheus metrics source, as a canary analysis would: two versions of the sample service, one made slow on
 * purpose, under the same traffic.
 */
class PrometheusDiscoveryIT {
    private static final Logger log = LoggerFactory.getLogger(PrometheusDiscoveryIT.class);
    /** The sample service's mean latency per interval, in seconds. */
    private static final String LATENCY = "sum(rate(hello_request_duration_seconds_sum{version=\"$version\"}[5s]))"
            + " / sum(rate(hello_request_duration_seconds_count{version=\"$version\"}[5s]))";
    private static final int SLOW_MS = 100;

    @TempDir
    Path dataDirectory;

    @TempDir
    Path prometheusDirectory;

    @AfterAll
    static void killStragglers() {
        Harness.killAll();
    }

    @Test
    void prometheusScrapesEachVersionByItsLabelsAndTheSlowOneIsSlowerInEveryInterval() throws Exception {
        // closed in reverse order: the traffic stops, then Prometheus, then the harness kills instances and router
        try (Harness harness = new Harness(dataDirectory)) {
            ProcessDeployer deployer = harness.deployer();
            DeployTarget target = harness.target(1);
            deployer.ensureInstances(target, harness.version("fast", Map.of()), 1);
            deployer.ensureInstances(target, harness.version("slow", Map.of("HELLO_DELAY_MS",
                    Integer.toString(SLOW_MS))), 1);
            harness.awaitHealthy(deployer, target, "fast", 1);
            harness.awaitHealthy(deployer, target, "slow", 1);
            deployer.setWeights(target, Map.of("fast", 50, "slow", 50));
            Instant from = Instant.now();

            try (PrometheusServer prometheus = PrometheusServer.start(dataDirectory.resolve("prometheus-targets"),
                    prometheusDirectory); Load load = new Load(harness, 4)) {
                PrometheusMetricsSource source = new PrometheusMetricsSource(new PluginConfig(Map.of(
                        "url", prometheus.url(), "step", "1s", "timeout", "5s")), Harness.HTTP);

                // Prometheus found both instances through the file and labelled them from it
                String labelled = "sum(up{service=\"$service\", environment=\"$environment\", target=\"$target\","
                        + " version=\"$version\", instance_id=\"$version-0\"})";
                for (String version : List.of("fast", "slow")) {
                    Harness.await("Prometheus to scrape version " + version, () -> finite(source.samples(
                            query(target, version, labelled, from))).contains(1.0), prometheus::log);
                }

                List<List<Sample>> latencies = new ArrayList<>(List.of(List.of(), List.of()));
                Harness.await("five intervals of latency per version", () -> {
                    latencies.set(0, source.samples(query(target, "fast", LATENCY, from)));
                    latencies.set(1, source.samples(query(target, "slow", LATENCY, from)));
                    return finite(latencies.get(0)).size() >= 5 && finite(latencies.get(1)).size() >= 5;
                }, () -> "fast " + latencies.get(0) + ", slow " + latencies.get(1) + ", " + load.answered()
                        + " requests answered; Prometheus: " + prometheus.log());

                List<Double> fast = finite(latencies.get(0));
                List<Double> slow = finite(latencies.get(1));
                log.info("mean latency per 1s interval, in seconds: fast {}, slow {} ({} requests answered)", fast,
                        slow, load.answered());
                assertThat(latencies.get(1)).extracting(Sample::at).isSorted().allMatch(at -> at.isAfter(from));
                // every slow interval is above half its delay, every fast one below: the slow version is slower
                assertThat(slow).allSatisfy(seconds -> assertThat(seconds).isGreaterThan(SLOW_MS / 2000.0));
                assertThat(fast).allSatisfy(seconds -> assertThat(seconds).isLessThan(SLOW_MS / 2000.0));
                assertThat(slow.stream().mapToDouble(Double::doubleValue).min().orElseThrow())
                        .isGreaterThan(fast.stream().mapToDouble(Double::doubleValue).max().orElseThrow());

                // a query Prometheus cannot parse, and one that gives several series, are told apart and named
                assertThatThrownBy(() -> source.samples(query(target, "slow",
                        "sum(rate(hello_request_duration_seconds_sum{version=\"$version\"}[5s])", from)))
                        .isInstanceOf(ExtensionFailedException.class)
                        .hasMessageContaining("metric latency for version slow")
                        .hasMessageContaining("hello_request_duration_seconds_sum{version=\"slow\"}")
                        .hasMessageContaining("bad_data").hasMessageContaining("parse error")
                        .hasMessageContaining("HTTP 400");
                assertThatThrownBy(() -> source.samples(query(target, "slow",
                        "rate(hello_requests_total{version=\"$version\"}[5s])", from)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("returned 3 series").hasMessageContaining("code=\"500\"")
                        .hasMessageContaining("one series per version");
            }
        }
    }

    private static MetricsQuery query(DeployTarget target, String version, String promql, Instant from) {
        return new MetricsQuery(target, version, "latency", Optional.of(promql), from, Instant.now());
    }

    /** The values Prometheus could compute: an interval without requests is 0/0, NaN. */
    private static List<Double> finite(List<Sample> samples) {
        return samples.stream().map(Sample::value).filter(Double::isFinite).toList();
    }

    /** Requests through the router's public port from a few threads, until closed. */
    private static final class Load implements AutoCloseable {
        private final ExecutorService threads;
        private final AtomicBoolean sending = new AtomicBoolean(true);
        private final AtomicInteger answered = new AtomicInteger();

        Load(Harness harness, int threads) {
            this.threads = Executors.newFixedThreadPool(threads);
            for (int i = 0; i < threads; i++) {
                this.threads.execute(() -> {
                    while (sending.get()) {
                        if (harness.get("/").statusCode() == 200) {
                            answered.incrementAndGet();
                        }
                    }
                });
            }
        }

        int answered() {
            return answered.get();
        }

        @Override
        public void close() throws InterruptedException {
            sending.set(false);
            threads.shutdown();
            if (!threads.awaitTermination(15, TimeUnit.SECONDS)) {
                threads.shutdownNow();
            }
        }
    }
}
