package dev.gantry.plugins.deployer.process;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.PluginConfig;
import java.time.Duration;
import java.time.format.DateTimeParseException;
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
 */
record ProcessDeployerConfig(Optional<List<String>> routerCommand, Duration stopGrace, Duration healthTimeout,
                             Duration routerStartTimeout) {
    static final String PREFIX = "plugin.deployer-process.";
    static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(5);
    static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofSeconds(1);
    static final Duration DEFAULT_ROUTER_START_TIMEOUT = Duration.ofSeconds(10);
    private static final Set<String> KEYS = Set.of("router-command", "stop-grace", "health-timeout",
            "router-start-timeout");

    ProcessDeployerConfig {
        requireNonNull(routerCommand, "routerCommand is null");
        requireNonNull(stopGrace, "stopGrace is null");
        requireNonNull(healthTimeout, "healthTimeout is null");
        requireNonNull(routerStartTimeout, "routerStartTimeout is null");
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
                duration(config, "router-start-timeout", DEFAULT_ROUTER_START_TIMEOUT, false));
    }

    /** The router command to run: the setting, or the distribution's launcher beside the running server. */
    List<String> routerCommandOrDefault() {
        return routerCommand.orElseGet(() -> {
            String home = System.getProperty("gantry.home");
            if (home == null || home.isBlank()) {
                throw new IllegalStateException("cannot start a router: the server was not started by bin/gantry "
                        + "(no gantry.home system property); set " + PREFIX + "router-command");
            }
            return List.of(home + "/bin/gantry", "router");
        });
    }

    private static Optional<String> value(PluginConfig config, String key) {
        return config.get(key).map(String::trim).filter(value -> !value.isEmpty());
    }

    private static Duration duration(PluginConfig config, String key, Duration fallback, boolean zeroAllowed) {
        Optional<String> text = value(config, key);
        if (text.isEmpty()) {
            return fallback;
        }
        Duration duration = parseDuration(text.get(), key);
        if (duration.isNegative() || duration.isZero() && !zeroAllowed) {
            throw new IllegalArgumentException(PREFIX + key + " must be " + (zeroAllowed ? "0 or more" : "positive")
                    + ", got '" + text.get() + "'");
        }
        return duration;
    }

    /** Written as the server writes durations: {@code 500ms}, {@code 30s}, {@code 5m} or ISO-8601 {@code PT1M}. */
    static Duration parseDuration(String text, String key) {
        try {
            if (text.startsWith("P") || text.startsWith("p")) {
                return Duration.parse(text);
            }
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            }
            long amount = Long.parseLong(text.substring(0, text.length() - 1));
            return switch (text.charAt(text.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException(PREFIX + key + " must be a duration such as 500ms, 10s, 1m or PT30S, got '"
                    + text + "'");
        }
    }
}
