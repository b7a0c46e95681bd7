package dev.gantry.plugins.metrics.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.gantry.plugin.api.ExtensionFailedException;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.deploy.DeployTarget;
import dev.gantry.plugin.api.metrics.MetricsQuery;
import dev.gantry.plugin.api.metrics.Sample;
import dev.gantry.plugin.api.metrics.SampleKind;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The source against a stand-in for Prometheus's HTTP API that answers what each test sets. */
class TestPrometheusMetricsSource {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final DeployTarget TARGET = new DeployTarget("hello", "prod", "eu-1", Map.of(), 1);
    private static final Instant FROM = Instant.parse("2030-01-01T00:00:00Z");
    private static final String LATENCY = "sum(rate(hello_request_duration_seconds_sum{version=\"$version\"}[10s]))";

    private HttpServer prometheus;
    private final AtomicReference<String> path = new AtomicReference<>();
    private final AtomicReference<Map<String, String>> form = new AtomicReference<>();
    private volatile int status = 200;
    private volatile String answer = "";

    @BeforeEach
    void startPrometheus() throws IOException {
        prometheus = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        prometheus.createContext("/", exchange -> {
            path.set(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
                    + exchange.getRequestHeaders().getFirst("Content-Type"));
            Map<String, String> fields = new TreeMap<>();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            for (String pair : body.split("&")) {
                String[] parts = pair.split("=", 2);
                fields.put(parts[0], URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
            }
            form.set(fields);
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        prometheus.start();
    }

    @AfterEach
    void stopPrometheus() {
        prometheus.stop(0);
    }

    private PrometheusMetricsSource source(String url) {
        return new PrometheusMetricsSource(new PluginConfig(Map.of("url", url, "step", "10s", "timeout", "5s")), HTTP);
    }

    private String url() {
        return "http://127.0.0.1:" + prometheus.getAddress().getPort() + "/prom/";
    }

    private static MetricsQuery query(String version, Optional<String> promql, Duration window) {
        return new MetricsQuery(TARGET, version, "latency", promql, FROM, FROM.plus(window));
    }

    @Test
    void asksQueryRangeForTheVersionsSeriesOncePerStep() {
        answer = """
                {"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[
                  [1893456010,"0.012"],[1893456020,"NaN"],[1893456030,"0.013"]]}]}}""";
        PrometheusMetricsSource source = source(url());

        List<Sample> samples = source.samples(query("v2", Optional.of(LATENCY), Duration.ofSeconds(30)));

        assertThat(source.kind()).isEqualTo("prometheus");
        assertThat(source.sampleKind()).isEqualTo(SampleKind.PER_INTERVAL);
        assertThat(path.get()).isEqualTo("POST /prom/api/v1/query_range application/x-www-form-urlencoded");
        // one point at the end of each step of the window: 00:00:10, 00:00:20, 00:00:30
        assertThat(form.get()).isEqualTo(Map.of(
                "query", "sum(rate(hello_request_duration_seconds_sum{version=\"v2\"}[10s]))",
                "start", "1893456010.000", "end", "1893456030.000", "step", "10.000", "timeout", "5.000"));
        assertThat(samples).extracting(Sample::at).containsExactly(FROM.plusSeconds(10), FROM.plusSeconds(20),
                FROM.plusSeconds(30));
        assertThat(samples).extracting(Sample::value).containsExactly(0.012, Double.NaN, 0.013);
    }

    @Test
    void aWindowShorterThanAStepHasNoSamples() {
        assertThat(source(url()).samples(query("v2", Optional.of(LATENCY), Duration.ofSeconds(9)))).isEmpty();
        assertThat(form.get()).isNull();
    }

    @Test
    void aMetricWithoutAQueryIsRefused() {
        assertThatThrownBy(() -> source(url()).samples(query("v2", Optional.empty(), Duration.ofMinutes(1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the prometheus source needs a PromQL query for metric latency");
        assertThatThrownBy(() -> new PrometheusMetricsSource(new PluginConfig(Map.of()), HTTP)
                .samples(query("v2", Optional.of(LATENCY), Duration.ofMinutes(1))))
                .isInstanceOf(ExtensionFailedException.class).hasMessageContaining("plugin.metrics-prometheus.url");
    }

    @Test
    void prometheussErrorIsNamedWithTheQuery() {
        status = 400;
        answer = """
                {"status":"error","errorType":"bad_data","error":"invalid parameter \\"query\\": 1:5: parse error"}""";

        assertThatThrownBy(() -> source(url()).samples(query("v2", Optional.of("sum(x{version=\"$version\"}"),
                Duration.ofMinutes(1))))
                .isInstanceOf(ExtensionFailedException.class)
                .hasMessageContaining("metric latency for version v2 (sum(x{version=\"v2\"})")
                .hasMessageContaining("bad_data: invalid parameter \"query\": 1:5: parse error")
                .hasMessageContaining("HTTP 400");

        status = 502;
        answer = "Bad Gateway";
        assertThatThrownBy(() -> source(url()).samples(query("v2", Optional.of(LATENCY), Duration.ofMinutes(1))))
                .isInstanceOf(ExtensionFailedException.class).hasMessageEndingWith("Bad Gateway (HTTP 502)");
    }

    @Test
    void anUnreachablePrometheusIsNamed() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        assertThatThrownBy(() -> source("http://127.0.0.1:" + closed).samples(query("v2", Optional.of(LATENCY),
                Duration.ofMinutes(1))))
                .isInstanceOf(ExtensionFailedException.class)
                .hasMessageContaining("cannot reach Prometheus at http://127.0.0.1:" + closed)
                .hasMessageContaining("metric latency for version v2");
    }
}
