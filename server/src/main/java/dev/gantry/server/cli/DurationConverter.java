package dev.gantry.server.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations as the server's settings write them: {@code 500ms}, {@code 90s}, {@code 10m}, {@code 1h}, or ISO-8601. */
public final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String text) {
        String value = text.strip().toLowerCase(java.util.Locale.ROOT);
        try {
            Duration duration;
            if (value.startsWith("p")) {
                duration = Duration.parse(value.toUpperCase(java.util.Locale.ROOT));
            } else if (value.endsWith("ms")) {
                duration = Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            } else if (!value.isEmpty() && "smh".indexOf(value.charAt(value.length() - 1)) >= 0) {
                long amount = Long.parseLong(value.substring(0, value.length() - 1));
                duration = switch (value.charAt(value.length() - 1)) {
                    case 's' -> Duration.ofSeconds(amount);
                    case 'm' -> Duration.ofMinutes(amount);
                    default -> Duration.ofHours(amount);
                };
            } else {
                throw new NumberFormatException();
            }
            if (duration.isNegative() || duration.isZero()) {
                throw new TypeConversionException("'" + text + "' is not a positive duration");
            }
            return duration;
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new TypeConversionException("'" + text + "' is not a duration such as 90s, 10m or 1h");
        }
    }

    /** How a duration is shown back: 30m, 90s, 1500ms. */
    static String show(Duration duration) {
        if (duration.toMillis() % 1000 != 0) {
            return duration.toMillis() + "ms";
        }
        long seconds = duration.toSeconds();
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }
}
