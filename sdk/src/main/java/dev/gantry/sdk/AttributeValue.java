package dev.gantry.sdk;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * A context attribute's text with its readings as a number, a semantic version and an instant, parsed once when the
 * context is built so that evaluating a constraint parses nothing and allocates nothing. The same readings serve a
 * constraint's {@code values[0]} at compile time, so both sides are read by one set of rules.
 */
final class AttributeValue {
    final String text;
    /** Whether {@link #number} holds the text as a decimal number. */
    final boolean isNumber;
    final double number;
    /** Null when the text is not a semantic version. */
    final Semver semver;
    /** Null when the text is not an ISO-8601 instant. */
    final Instant instant;

    private AttributeValue(String text) {
        this.text = text;
        double parsed = parseNumber(text);
        this.isNumber = !Double.isNaN(parsed);
        this.number = parsed;
        this.semver = Semver.parse(text);
        this.instant = parseInstant(text);
    }

    static AttributeValue of(String text) {
        return new AttributeValue(text);
    }

    /**
     * A decimal number, as the server's validation reads one ({@code new BigDecimal(text.trim())}): optional sign,
     * digits with an optional fraction, an optional exponent, surrounding blanks ignored. Not {@code NaN},
     * {@code Infinity}, hexadecimal or Java's {@code 1d}/{@code 1f} suffixes that Double.parseDouble also takes.
     * Compared as a double. NaN when the text is not one.
     */
    static double parseNumber(String untrimmed) {
        String text = untrimmed.trim();
        int n = text.length();
        int i = 0;
        if (i < n && (text.charAt(i) == '-' || text.charAt(i) == '+')) {
            i++;
        }
        int digits = 0;
        while (i < n && isDigit(text.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && text.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(text.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return Double.NaN;
        }
        if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            i++;
            if (i < n && (text.charAt(i) == '-' || text.charAt(i) == '+')) {
                i++;
            }
            int exponentDigits = 0;
            while (i < n && isDigit(text.charAt(i))) {
                i++;
                exponentDigits++;
            }
            if (exponentDigits == 0) {
                return Double.NaN;
            }
        }
        if (i != n) {
            return Double.NaN;
        }
        double value = Double.parseDouble(text);
        return Double.isInfinite(value) ? Double.NaN : value;
    }

    /**
     * An ISO-8601 instant: a date and a time with {@code Z} or an offset ({@code 2026-11-25T10:00:00Z},
     * {@code 2026-11-25T11:00:00.5+01:00}). A date alone is not an instant. Null when the text is not one.
     */
    static Instant parseInstant(String text) {
        if (text.length() < 20 || text.length() > 40 || text.charAt(10) != 'T' && text.charAt(10) != 't') {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
