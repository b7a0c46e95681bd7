package dev.gantry.plugins.analyzer.mannwhitney;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** How explanations write numbers: short, and the same whatever the server's locale. */
final class Numbers {
    private Numbers() {
    }

    /** A p-value or level with two significant digits: {@code 0.43}, {@code 0.00061}, {@code 3.2e-9}. */
    static String probability(double p) {
        if (Double.isNaN(p)) {
            return "NaN";
        }
        if (p == 0) {
            return "0";
        }
        BigDecimal rounded = new BigDecimal(p).round(new MathContext(2)).stripTrailingZeros();
        if (p >= 1e-4) {
            return rounded.toPlainString();
        }
        String digits = rounded.unscaledValue().toString();
        int exponent = rounded.precision() - rounded.scale() - 1;
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return mantissa + "e" + exponent;
    }

    /** A measured value with three significant digits, never in scientific notation: {@code 31.2}, {@code 1250}. */
    static String value(double value) {
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        if (value == 0) {
            return "0";
        }
        return new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }

    /** A relative change as a signed percentage: {@code +53%}, {@code -4%}, {@code +0.4%}, {@code +0%}. */
    static String change(double change) {
        double percent = change * 100;
        String text = Math.abs(percent) >= 1 || percent == 0
                ? String.format(Locale.ROOT, "%.0f", percent)
                : String.format(Locale.ROOT, "%.1f", percent);
        return (percent >= 0 && !text.startsWith("-") ? "+" : "") + text + "%";
    }

    /** A share as a percentage without needless decimals: {@code 40%}, {@code 1.3%}. */
    static String percent(double share) {
        return new BigDecimal(share * 100).round(new MathContext(2)).stripTrailingZeros().toPlainString() + "%";
    }

    /** A proportion as a percentage with two decimals: {@code 0.50%}. */
    static String rate(double proportion) {
        return String.format(Locale.ROOT, "%.2f%%", proportion * 100);
    }

    /** A count with thousands separators: {@code 9,000}. */
    static String count(long count) {
        return String.format(Locale.ROOT, "%,d", count);
    }

    /** A score (0–100) without a needless fraction: {@code 50}, {@code 66.7}. */
    static String score(double score) {
        return score == Math.rint(score) ? Long.toString((long) score) : String.format(Locale.ROOT, "%.1f", score);
    }
}
