package dev.gantry.plugins.metrics.prometheus;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * Puts a query's values into its PromQL: {@code $service}, {@code $environment}, {@code $target} and {@code $version}
 * stand for them inside string literals ({@code {version="$version"}}), and each value is escaped for the literal it
 * lands in, so no value can end the string and change the query. Placeholders are recognised only where PromQL
 * could hold them: outside a string literal (and outside a {@code #} comment) one is refused, as there it could only
 * be part of a metric or label name. Inside a string, a {@code $} that names no placeholder is left as it is (it may be
 * a regular expression's end anchor).
 */
final class QueryTemplate {
    private QueryTemplate() {
    }

    /**
     * {@code promql} with the placeholders replaced by {@code values} (name without {@code $} to value); {@code metric}
     * names the metric in messages.
     */
    static String substitute(String promql, Map<String, String> values, String metric) {
        StringBuilder out = new StringBuilder(promql.length() + 32);
        char quote = 0; // the quote of the string literal we are in, or 0 outside one
        int i = 0;
        while (i < promql.length()) {
            char c = promql.charAt(i);
            if (quote == 0) {
                if (c == '"' || c == '\'' || c == '`') {
                    quote = c;
                } else if (c == '#') {
                    int end = promql.indexOf('\n', i);
                    end = end < 0 ? promql.length() : end;
                    out.append(promql, i, end);
                    i = end;
                    continue;
                } else if (c == '$' && !identifier(promql, i + 1).isEmpty()) {
                    String name = identifier(promql, i + 1);
                    throw new IllegalArgumentException("the PromQL query of metric " + metric + " has $" + name
                            + " outside a string literal; placeholders (" + known(values) + ") go inside quotes, "
                            + "e.g. {version=\"$version\"}");
                }
                out.append(c);
                i++;
            } else if (c == '\\' && quote != '`' && i + 1 < promql.length()) {
                // an escape sequence is copied whole, so an escaped quote does not end the literal
                out.append(c).append(promql.charAt(i + 1));
                i += 2;
            } else if (c == quote) {
                quote = 0;
                out.append(c);
                i++;
            } else if (c == '$' && values.containsKey(identifier(promql, i + 1))) {
                String name = identifier(promql, i + 1);
                out.append(escape(values.get(name), quote, name, metric));
                i += 1 + name.length();
            } else {
                out.append(c);
                i++;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("the PromQL query of metric " + metric + " has a string literal opened "
                    + "with " + quote + " that is never closed");
        }
        return out.toString();
    }

    /**
     * {@code value} as the inside of a PromQL string literal opened with {@code quote}: PromQL follows Go's escapes,
     * but accepts an escaped quote only of the kind that opened the string. A raw ({@code `}) literal has no escapes.
     */
    static String escape(String value, char quote, String name, String metric) {
        if (quote == '`') {
            if (value.indexOf('`') >= 0) {
                throw new IllegalArgumentException("the value of $" + name + " holds a '`', which a raw string of the "
                        + "PromQL query of metric " + metric + " cannot hold; use \"$" + name + "\" instead");
            }
            return value;
        }
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c == quote) {
                        out.append('\\').append(c);
                    } else if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** The identifier ({@code [A-Za-z_][A-Za-z0-9_]*}) at {@code start}, empty when there is none. */
    private static String identifier(String text, int start) {
        int i = start;
        while (i < text.length()) {
            char c = text.charAt(i);
            boolean letter = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
            if (!(letter || i > start && c >= '0' && c <= '9')) {
                break;
            }
            i++;
        }
        return text.substring(start, i);
    }

    private static String known(Map<String, String> values) {
        return values.keySet().stream().sorted().map(name -> "$" + name).collect(Collectors.joining(", "));
    }
}
