package dev.gantry.plugins.scm.git;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.PluginConfig;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.TreeSet;

/**
 * The plugin's settings ({@code plugin.scm-git.<key>}), checked when an extension is built so a typo is reported at
 * start-up, naming the key.
 *
 * @param checkoutTimeout the longest one checkout (connection, fetch and writing the files) may take
 */
record ScmGitConfig(Duration checkoutTimeout) {
    static final String PREFIX = "plugin.scm-git.";
    static final Duration DEFAULT_CHECKOUT_TIMEOUT = Duration.ofMinutes(10);
    private static final Set<String> KEYS = Set.of("checkout-timeout");

    ScmGitConfig {
        requireNonNull(checkoutTimeout, "checkoutTimeout is null");
        if (checkoutTimeout.isNegative() || checkoutTimeout.isZero()) {
            throw new IllegalArgumentException("checkoutTimeout must be positive");
        }
    }

    static ScmGitConfig from(PluginConfig config) {
        requireNonNull(config, "config is null");
        Set<String> unknown = new TreeSet<>(config.values().keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown setting " + PREFIX + unknown.iterator().next()
                    + "; the git SCM plugin reads " + PREFIX + "{" + String.join(", ", new TreeSet<>(KEYS)) + "}");
        }
        Duration timeout = config.get("checkout-timeout").map(String::trim).filter(value -> !value.isEmpty())
                .map(value -> parseDuration("checkout-timeout", value))
                .orElse(DEFAULT_CHECKOUT_TIMEOUT);
        return new ScmGitConfig(timeout);
    }

    /** Written as the server writes durations: {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h} or ISO-8601 {@code PT1M}. */
    static Duration parseDuration(String key, String text) {
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
                    case 'h' -> Duration.ofHours(amount);
                    default -> throw new NumberFormatException();
                };
            }
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException(PREFIX + key + " must be a duration such as 30s, 10m, 1h or PT10M, got '"
                    + text + "'");
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(PREFIX + key + " must be positive, got '" + text + "'");
        }
        return duration;
    }

    /** As settings are written, for messages: {@code 10m}, {@code 90s}, {@code 1500ms}. */
    static String describe(Duration duration) {
        if (duration.toMillisPart() != 0 || duration.isZero()) {
            return duration.toMillis() + "ms";
        }
        long seconds = duration.toSeconds();
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }
}
