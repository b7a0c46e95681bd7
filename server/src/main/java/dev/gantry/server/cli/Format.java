package dev.gantry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** How values look in tables and summaries. */
final class Format {
    private static final int SHORT_HEX = 12;

    private Format() {
    }

    /** An API time, to the second ({@code 2026-11-25T10:00:03Z}); null stays null. */
    static String time(String iso) {
        if (iso == null) {
            return null;
        }
        try {
            return Instant.parse(iso).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return iso;
        }
    }

    /** A digest or commit shortened for a table: {@code sha256:0123456789ab}, {@code 0123456789ab}. */
    static String shortSha(String sha) {
        if (sha == null) {
            return null;
        }
        String prefix = sha.startsWith("sha256:") ? "sha256:" : "";
        String hex = sha.substring(prefix.length());
        return prefix + (hex.length() > SHORT_HEX ? hex.substring(0, SHORT_HEX) : hex);
    }

    /** Seconds as a person reads them: {@code 4.2s}, {@code 3m 05s}, {@code 1h 02m}. */
    static String seconds(JsonNode value) {
        if (value == null || !value.isNumber()) {
            return null;
        }
        double seconds = value.asDouble();
        if (seconds < 60) {
            return String.format(java.util.Locale.ROOT, "%.1fs", seconds);
        }
        long whole = Math.round(seconds);
        if (whole < 3600) {
            return String.format(java.util.Locale.ROOT, "%dm %02ds", whole / 60, whole % 60);
        }
        return String.format(java.util.Locale.ROOT, "%dh %02dm", whole / 3600, whole / 60 % 60);
    }

    /** A percentage without needless decimals: 25, 12.5. */
    static String percent(BigDecimal value) {
        return value.stripTrailingZeros().toPlainString() + "%";
    }
}
