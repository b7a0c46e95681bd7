package dev.gantry.plugins.deployer.docker;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugins.deployer.common.Durations;
import dev.gantry.plugins.deployer.common.PrometheusTargets;
import dev.gantry.plugins.deployer.common.RouterSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The plugin's settings ({@code plugin.deployer-docker.<key>}), read by both extensions and checked when they are
 * built, so a typo or a malformed value is reported at start, naming the key.
 *
 * @param dockerHost where the Docker Engine API listens: {@code unix:///path/to/docker.sock} or {@code tcp://host:port}
 * @param image the image instances run in, unless the target's {@code image} setting names another
 * @param routerCommand the command that runs a router, before {@code --state-dir} and {@code --listen-port}; empty for
 *     {@code <gantry.home>/bin/gantry router}
 * @param stopGrace how long a stopped container may take to exit after SIGTERM before it gets SIGKILL
 * @param healthTimeout how long an instance's health check may take
 * @param routerStartTimeout how long a started router may take to write admin.json and answer
 * @param prometheusTargetsDir where the Prometheus discovery files go, if not in {@code <data dir>/prometheus-targets};
 *     relative to the plugin's data directory unless absolute
 */
record DockerDeployerConfig(URI dockerHost, String image, Optional<List<String>> routerCommand, Duration stopGrace,
                            Duration healthTimeout, Duration routerStartTimeout, Optional<Path> prometheusTargetsDir) {
    static final String PREFIX = "plugin.deployer-docker.";
    static final URI DEFAULT_DOCKER_HOST = URI.create("unix:///var/run/docker.sock");
    static final String DEFAULT_IMAGE = "gantry/busybox:1";
    static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(5);
    static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofSeconds(1);
    /** Generous: a router is a JVM, and its start on a busy small machine can take well over 10 s. */
    static final Duration DEFAULT_ROUTER_START_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> KEYS = Set.of("docker-host", "image", "router-command", "stop-grace",
            "health-timeout", "router-start-timeout", PrometheusTargets.SETTING);

    DockerDeployerConfig {
        requireNonNull(dockerHost, "dockerHost is null");
        requireNonNull(image, "image is null");
        requireNonNull(routerCommand, "routerCommand is null");
        requireNonNull(stopGrace, "stopGrace is null");
        requireNonNull(healthTimeout, "healthTimeout is null");
        requireNonNull(routerStartTimeout, "routerStartTimeout is null");
        requireNonNull(prometheusTargetsDir, "prometheusTargetsDir is null");
    }

    static DockerDeployerConfig from(PluginConfig config) {
        requireNonNull(config, "config is null");
        Set<String> unknown = new TreeSet<>(config.values().keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown setting " + PREFIX + unknown.iterator().next()
                    + "; the Docker deployer reads " + PREFIX + "{" + String.join(", ", new TreeSet<>(KEYS)) + "}");
        }
        return new DockerDeployerConfig(
                value(config, "docker-host").map(DockerDeployerConfig::parseHost).orElse(DEFAULT_DOCKER_HOST),
                value(config, "image").orElse(DEFAULT_IMAGE),
                value(config, "router-command").map(command -> Arrays.asList(command.split("\\s+"))),
                duration(config, "stop-grace", DEFAULT_STOP_GRACE, true),
                duration(config, "health-timeout", DEFAULT_HEALTH_TIMEOUT, false),
                duration(config, "router-start-timeout", DEFAULT_ROUTER_START_TIMEOUT, false),
                value(config, PrometheusTargets.SETTING).map(text -> PrometheusTargets.parseSetting(text, PREFIX)));
    }

    RouterSettings routerSettings() {
        return new RouterSettings(routerCommand, routerStartTimeout, stopGrace, PREFIX);
    }

    private static Optional<String> value(PluginConfig config, String key) {
        return config.get(key).map(String::trim).filter(value -> !value.isEmpty());
    }

    private static Duration duration(PluginConfig config, String key, Duration fallback, boolean zeroAllowed) {
        Optional<String> text = value(config, key);
        if (text.isEmpty()) {
            return fallback;
        }
        Duration duration = Durations.parse(text.get(), PREFIX + key);
        if (duration.isNegative() || duration.isZero() && !zeroAllowed) {
            throw new IllegalArgumentException(PREFIX + key + " must be " + (zeroAllowed ? "0 or more" : "positive")
                    + ", got '" + text.get() + "'");
        }
        return duration;
    }

    private static URI parseHost(String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw malformedHost(value);
        }
        boolean unix = "unix".equals(uri.getScheme()) && uri.getPath() != null && uri.getPath().startsWith("/");
        boolean tcp = "tcp".equals(uri.getScheme()) && uri.getHost() != null && uri.getPort() > 0;
        if (!unix && !tcp) {
            throw malformedHost(value);
        }
        return uri;
    }

    private static IllegalArgumentException malformedHost(String value) {
        return new IllegalArgumentException(PREFIX + "docker-host must be unix:///path/to/docker.sock or "
                + "tcp://host:port, not '" + value + "'");
    }
}
