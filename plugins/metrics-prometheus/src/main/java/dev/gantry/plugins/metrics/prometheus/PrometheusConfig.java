package dev.gantry.plugins.metrics.prometheus;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.ExtensionFailedException;
import dev.gantry.plugin.api.PluginConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The plugin's settings ({@code plugin.metrics-prometheus.<key>}), checked when the source is built so a typo or a
 * malformed value is reported at start, naming the key. A missing URL is allowed then: the plugin is bundled and
 * starts before anyone has configured it; a query then fails with the key to set.
 *
 * @param url Prometheus's base URL (the API is under {@code <url>/api/v1/}); empty until configured
 * @param step the resolution of {@code query_range}: one sample per step
 * @param timeout the longest a query may take, connection and answer included; also Prometheus's own evaluation limit
 */
record PrometheusConfig(Optional<URI> url, Duration step, Duration timeout) {
    static final String PREFIX = "plugin.metrics-prometheus.";
    static final Duration DEFAULT_STEP = Duration.ofSeconds(10);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final Set<String> KEYS = Set.of("url", "step", "timeout");

    PrometheusConfig {
        requireNonNull(url, "url is null");
        requireNonNull(step, "step is null");
        requireNonNull(timeout, "timeout is null");
    }

    static PrometheusConfig from(PluginConfig config) {
        requireNonNull(config, "config is null");
        Set<String> unknown = new TreeSet<>(config.values().keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown setting " + PREFIX + unknown.iterator().next()
                    + "; the prometheus metrics source reads " + PREFIX + "{" + String.join(", ", new TreeSet<>(KEYS))
                    + "}");
        }
        return new PrometheusConfig(value(config, "url").map(PrometheusConfig::parseUrl),
                value(config, "step").map(text -> duration(text, "step")).orElse(DEFAULT_STEP),
                value(config, "timeout").map(text -> duration(text, "timeout")).orElse(DEFAULT_TIMEOUT));
    }

    /** The URL, or an exception naming the setting that must be set first. */
    URI requireUrl() {
        return url.orElseThrow(() -> new ExtensionFailedException("the prometheus metrics source has no Prometheus to "
                + "ask: set " + PREFIX + "url to Prometheus's base URL, e.g. http://127.0.0.1:9090"));
    }

    private static Optional<String> value(PluginConfig config, String key) {
        return config.get(key).map(String::trim).filter(value -> !value.isEmpty());
    }

    private static URI parseUrl(String text) {
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(PREFIX + "url is not a valid URL (" + e.getReason() + "): '" + text
                    + "'");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
            throw new IllegalArgumentException(PREFIX + "url must be an http:// or https:// URL with a host, such as "
                    + "http://127.0.0.1:9090, not '" + text + "'");
        }
        if (url.getRawUserInfo() != null) {
            // the client would not send them, and a message naming the URL would show them
            throw new IllegalArgumentException(PREFIX + "url must not hold credentials (user:password@); the source "
                    + "does not authenticate to Prometheus");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException(PREFIX + "url is Prometheus's base URL, without ?query or #fragment, "
                    + "not '" + text + "'");
        }
        return url;
    }

    /** Written as the server writes durations: {@code 500ms}, {@code 30s}, {@code 5m} or ISO-8601 {@code PT1M}. */
    private static Duration duration(String text, String key) {
        Duration duration;
        try {
            if (text.startsWith("P") || text.startsWith("p")) {
                duration = Duration.parse(text);
            } else if (text.endsWith("ms")) {
                duration = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            } else {
                long amount = Long.parseLong(text.substring(0, text.length() - 1));
                duration = switch (text.charAt(text.length() - 1)) {
                    case 's' -> Duration.ofSeconds(amount);
                    case 'm' -> Duration.ofMinutes(amount);
                    default -> throw new NumberFormatException();
                };
            }
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException(PREFIX + key + " must be a duration such as 500ms, 10s, 1m or PT30S, "
                    + "got '" + text + "'");
        }
        // Prometheus resolves steps and timeouts to milliseconds
        if (duration.toMillis() < 1) {
            throw new IllegalArgumentException(PREFIX + key + " must be at least 1ms, got '" + text + "'");
        }
        return duration;
    }
}
