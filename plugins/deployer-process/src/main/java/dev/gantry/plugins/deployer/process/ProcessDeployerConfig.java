package dev.gantry.plugins.deployer.process;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugins.deployer.common.Durations;
import dev.gantry.plugins.deployer.common.PrometheusTargets;
import dev.gantry.plugins.deployer.common.RouterSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The plugin's settings ({@code plugin.deployer-process.<key>}), read by both extensions and checked when they are
 * built, so a typo or a malformed value is reported at start, naming the key.
 *
 * @param routerCommand the command that runs a router, before {@code --state-dir} and {@code --listen-port}; empty for
 *     {@code <gantry.home>/bin/gantry router}
 * @param stopGrace how long a stopped instance may take to exit after SIGTERM before it gets SIGKILL
 * @param healthTimeout how long an instance's health check may take
 * @param routerStartTimeout how long a started router may take to write admin.json and answer
 * @param prometheusTargetsDir where the Prometheus discovery files go, if not in {@code <data dir>/prometheus-targets};
 *     relative to the deployer's directory (see {@code stateDir}) unless absolute
 * @param stateDir where the deployer keeps its files (targets, unpacked artifacts), if not in the plugin's data
 *     directory: replicas on one machine name one directory, so that each finds the routers and instances the others
 *     started; relative to the plugin's data directory unless absolute
 */
record ProcessDeployerConfig(Optional<List<String>> routerCommand, Duration stopGrace, Duration healthTimeout,
                             Duration routerStartTimeout, Optional<Path> prometheusTargetsDir, Optional<Path> stateDir) {
    static final String PREFIX = "plugin.deployer-process.";
    static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(5);
    static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofSeconds(1);
    /** Generous: a router is a JVM, and its start on a busy small machine can take well over 10 s. */
    static final Duration DEFAULT_ROUTER_START_TIMEOUT = Duration.ofSeconds(30);
    static final String STATE_DIR = "state-dir";
    private static final Set<String> KEYS = Set.of("router-command", "stop-grace", "health-timeout",
            "router-start-timeout", PrometheusTargets.SETTING, STATE_DIR);

    ProcessDeployerConfig {
        requireNonNull(routerCommand, "routerCommand is null");
        requireNonNull(stopGrace, "stopGrace is null");
        requireNonNull(healthTimeout, "healthTimeout is null");
        requireNonNull(routerStartTimeout, "routerStartTimeout is null");
        requireNonNull(prometheusTargetsDir, "prometheusTargetsDir is null");
        requireNonNull(stateDir, "stateDir is null");
    }

    static ProcessDeployerConfig from(PluginConfig config) {
        Set<String> unknown = new TreeSet<>(config.values().keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown setting " + PREFIX + unknown.iterator().next()
                    + "; the process deployer reads " + PREFIX + "{" + String.join(", ", new TreeSet<>(KEYS)) + "}");
        }
        Optional<List<String>> routerCommand = value(config, "router-command")
                .map(command -> Arrays.asList(command.split("\\s+")));
        return new ProcessDeployerConfig(routerCommand,
                duration(config, "stop-grace", DEFAULT_STOP_GRACE, true),
                duration(config, "health-timeout", DEFAULT_HEALTH_TIMEOUT, false),
                duration(config, "router-start-timeout", DEFAULT_ROUTER_START_TIMEOUT, false),
                value(config, PrometheusTargets.SETTING).map(text -> PrometheusTargets.parseSetting(text, PREFIX)),
                value(config, STATE_DIR).map(text -> path(text, STATE_DIR)));
    }

    /** The directory the deployer keeps its files in: {@code state-dir}, else the plugin's data directory. */
    Path directory(Path pluginDataDirectory) {
        return stateDir.map(pluginDataDirectory::resolve).orElse(pluginDataDirectory).toAbsolutePath().normalize();
    }

    /** The router command to run: the setting, or the distribution's launcher beside the running server. */
    List<String> routerCommandOrDefault() {
        return routerSettings().commandOrDefault();
    }

    RouterSettings routerSettings() {
        return new RouterSettings(routerCommand, routerStartTimeout, stopGrace, PREFIX);
    }

    private static Optional<String> value(PluginConfig config, String key) {
        return config.get(key).map(String::trim).filter(value -> !value.isEmpty());
    }

    private static Path path(String text, String key) {
        try {
            return Path.of(text);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException(PREFIX + key + " is not a usable path: " + e.getReason());
        }
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
}
