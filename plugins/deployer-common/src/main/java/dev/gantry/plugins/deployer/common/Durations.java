package dev.gantry.plugins.deployer.common;

import java.time.Duration;
import java.time.format.DateTimeParseException;

/** Durations in settings, written as the server writes them. */
public final class Durations {
    private Durations() {
    }

    /**
     * {@code 500ms}, {@code 30s}, {@code 5m} or ISO-8601 {@code PT1M}; anything else is an
     * {@link IllegalArgumentException} naming {@code setting}.
     */
    public static Duration parse(String text, String setting) {
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
            throw new IllegalArgumentException(setting + " must be a duration such as 500ms, 10s, 1m or PT30S, got '"
                    + text + "'");
        }
    }
}
