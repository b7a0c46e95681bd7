package dev.gantry.plugins.metrics.prometheus;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.ExtensionFailedException;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.metrics.MetricsQuery;
import dev.gantry.plugin.api.metrics.MetricsSource;
import dev.gantry.plugin.api.metrics.Sample;
import dev.gantry.plugin.api.metrics.SampleKind;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples of user-defined PromQL queries ({@code kind: prometheus}): for each version, the query (with
 * {@code $service}, {@code $environment}, {@code $target} and {@code $version} put in) evaluated by Prometheus's
 * {@code /api/v1/query_range} once per {@code step}. A sample is one interval's aggregate, stamped at the interval's
 * end: {@code from + step}, {@code from + 2·step}, … up to {@code to}, so a window shorter than one step has none.
 * {@code NaN} and infinite values (a ratio over no requests) come back as they are, for the analyzer to judge.
 */
@Extension
public final class PrometheusMetricsSource implements MetricsSource {
    private static final Logger log = LoggerFactory.getLogger(PrometheusMetricsSource.class);

    private final PrometheusConfig config;
    private final HttpClient httpClient;

    public PrometheusMetricsSource(PluginConfig config, HttpClient httpClient) {
        this.config = PrometheusConfig.from(requireNonNull(config, "config is null"));
        this.httpClient = requireNonNull(httpClient, "httpClient is null");
    }

    @Override
    public String kind() {
        return "prometheus";
    }

    @Override
    public SampleKind sampleKind() {
        return SampleKind.PER_INTERVAL;
    }

    @Override
    public List<Sample> samples(MetricsQuery query) {
        requireNonNull(query, "query is null");
        String template = query.query().filter(text -> !text.isBlank()).orElseThrow(() -> new IllegalArgumentException(
                "the prometheus source needs a PromQL query for metric " + query.metric() + ", e.g. "
                        + "sum(rate(http_requests_total{code=~\"5..\",version=\"$version\"}[1m]))"));
        URI url = config.requireUrl();
        Map<String, String> values = new LinkedHashMap<>();
        values.put("service", query.target().service());
        values.put("environment", query.target().environment());
        values.put("target", query.target().target());
        values.put("version", query.version());
        String promql = QueryTemplate.substitute(template, values, query.metric());
        String what = "the query of metric " + query.metric() + " for version " + query.version() + " (" + promql + ")";

        Instant start = query.from().plus(config.step());
        if (start.isAfter(query.to())) {
            log.debug("{}: the window {} to {} is shorter than one step ({}), so it has no samples", what,
                    query.from(), query.to(), config.step());
            return List.of();
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("query", promql);
        form.put("start", seconds(start));
        form.put("end", seconds(query.to()));
        form.put("step", seconds(config.step()));
        form.put("timeout", seconds(config.timeout()));
        QueryRangeAnswer answer = QueryRangeAnswer.read(post(url, form, what), what);
        if (!answer.warnings().isEmpty()) {
            log.warn("Prometheus warned about {}: {}", what, String.join("; ", answer.warnings()));
        }
        return answer.samples();
    }

    /** POSTs the form to {@code query_range} (a long query would not fit a URL) and returns a 2xx answer's body. */
    private String post(URI url, Map<String, String> form, String what) {
        URI endpoint = URI.create(url.toString().replaceAll("/+$", "") + "/api/v1/query_range");
        String body = form.entrySet().stream()
                .map(entry -> entry.getKey() + "=" + URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(config.timeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        long started = System.nanoTime();
        HttpResponse<String> response;
        try {
            response = httpClient.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            throw new ExtensionFailedException("Prometheus at " + url + " did not answer " + what + " within "
                    + config.timeout().toMillis() + " ms (" + PrometheusConfig.PREFIX + "timeout)", e);
        } catch (IOException e) {
            throw new ExtensionFailedException("cannot reach Prometheus at " + url + " (" + PrometheusConfig.PREFIX
                    + "url) for " + what + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExtensionFailedException("interrupted while waiting for Prometheus's answer to " + what, e);
        }
        log.debug("Prometheus answered {} with HTTP {} in {} ms", what, response.statusCode(),
                Duration.ofNanos(System.nanoTime() - started).toMillis());
        if (response.statusCode() / 100 != 2) {
            throw new ExtensionFailedException("Prometheus at " + url + " refused " + what + ": "
                    + QueryRangeAnswer.error(response.body()) + " (HTTP " + response.statusCode() + ")");
        }
        return response.body();
    }

    /** Unix seconds with milliseconds, as Prometheus reads times and durations. */
    private static String seconds(Instant instant) {
        return BigDecimal.valueOf(instant.toEpochMilli(), 3).toPlainString();
    }

    private static String seconds(Duration duration) {
        return BigDecimal.valueOf(duration.toMillis(), 3).toPlainString();
    }

    /** An I/O failure's message, or what it most likely was when it has none. */
    private static String describe(IOException e) {
        if (e instanceof ConnectException) {
            // the JDK's client reports a refused connection without a message
            return e.getMessage() != null ? e.getMessage() : "connection refused";
        }
        Throwable cause = e;
        while (cause.getMessage() == null && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }
}
