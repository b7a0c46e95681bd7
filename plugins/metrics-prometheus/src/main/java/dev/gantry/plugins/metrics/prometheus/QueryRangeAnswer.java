package dev.gantry.plugins.metrics.prometheus;

import dev.gantry.plugin.api.ExtensionFailedException;
import dev.gantry.plugin.api.metrics.Sample;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Prometheus's answer to {@code /api/v1/query_range}: {@code {"status": "success", "data": {"resultType": "matrix",
 * "result": [{"metric": {labels}, "values": [[<unix seconds>, "<value>"], ...]}]}, "warnings": [...]}}, or on failure
 * {@code {"status": "error", "errorType": ..., "error": ...}}. A query that cannot be used as it is (several series)
 * is an {@link IllegalArgumentException}; an answer that breaks the API an {@link ExtensionFailedException}.
 *
 * @param samples one per point of the only series, in time order; none when the query matched nothing
 * @param warnings what Prometheus warned of, e.g. a partial answer
 */
record QueryRangeAnswer(List<Sample> samples, List<String> warnings) {
    private static final int SERIES_SHOWN = 3;

    QueryRangeAnswer {
        samples = List.copyOf(samples);
        warnings = List.copyOf(warnings);
    }

    /**
     * Reads a successful answer. {@code what} describes the query for messages. A query must give one series (the
     * version's): several are refused, as the source could only guess which to take or how to combine them.
     */
    static QueryRangeAnswer read(String body, String what) {
        Map<String, Object> answer = object(parse(body, what), "the answer", what);
        if (!"success".equals(answer.get("status"))) {
            throw new ExtensionFailedException("Prometheus answered " + what + " with an error: " + error(body));
        }
        Map<String, Object> data = object(answer.get("data"), "its data", what);
        if (!"matrix".equals(data.get("resultType"))) {
            throw new ExtensionFailedException("Prometheus answered " + what + " with a " + data.get("resultType")
                    + " where query_range gives a matrix");
        }
        List<Object> result = list(data.get("result"), "its result", what);
        List<String> warnings = new ArrayList<>();
        if (answer.get("warnings") instanceof List<?> list) {
            list.forEach(warning -> warnings.add(String.valueOf(warning)));
        }
        if (result.isEmpty()) {
            return new QueryRangeAnswer(List.of(), warnings);
        }
        if (result.size() > 1) {
            String shown = result.stream().limit(SERIES_SHOWN)
                    .map(series -> labels(object(series, "a series", what).get("metric")))
                    .collect(Collectors.joining(", "));
            throw new IllegalArgumentException(what + " returned " + result.size() + " series (" + shown
                    + (result.size() > SERIES_SHOWN ? ", …" : "") + "); it must return one series per version: "
                    + "aggregate it, e.g. sum(...) or avg(...), and select the version with {version=\"$version\"}");
        }
        Map<String, Object> series = object(result.get(0), "its series", what);
        if (series.containsKey("histograms")) {
            throw new IllegalArgumentException(what + " returned native histograms; it must return numbers, e.g. "
                    + "with histogram_quantile(0.99, ...) or histogram_sum(...) / histogram_count(...)");
        }
        List<Sample> samples = new ArrayList<>();
        for (Object point : list(series.get("values"), "its values", what)) {
            List<Object> pair = list(point, "a point", what);
            if (pair.size() != 2 || !(pair.get(0) instanceof BigDecimal seconds)
                    || !(pair.get(1) instanceof String value)) {
                throw new ExtensionFailedException("Prometheus answered " + what + " with a point that is not "
                        + "[<time>, \"<value>\"]: " + pair);
            }
            samples.add(new Sample(instant(seconds), value(value)));
        }
        return new QueryRangeAnswer(samples, warnings);
    }

    /**
     * What an answer to a failed query says: {@code <errorType>: <error>} from Prometheus's JSON, else the start of the
     * body (a proxy in front of Prometheus may answer otherwise).
     */
    static String error(String body) {
        try {
            if (Json.parse(body) instanceof Map<?, ?> answer && answer.get("error") instanceof String error) {
                return answer.get("errorType") instanceof String type ? type + ": " + error : error;
            }
        } catch (IllegalArgumentException notJson) {
            // described below by its text
        }
        String text = body.strip();
        if (text.isEmpty()) {
            return "(an empty answer)";
        }
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    /**
     * A value as Prometheus writes it: a decimal number, or {@code NaN}, {@code +Inf} and {@code -Inf} (e.g. a ratio of
     * no requests), kept as such for the analyzer to judge rather than dropped.
     */
    static double value(String text) {
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield new BigDecimal(text).doubleValue();
                } catch (NumberFormatException e) {
                    throw new ExtensionFailedException("Prometheus answered a value that is not a number: '" + text
                            + "'");
                }
            }
        };
    }

    /** Unix seconds with up to millisecond decimals, as Prometheus writes times, exactly. */
    static Instant instant(BigDecimal seconds) {
        return Instant.ofEpochMilli(seconds.movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact());
    }

    private static String labels(Object metric) {
        if (!(metric instanceof Map<?, ?> map) || map.isEmpty()) {
            return "{}";
        }
        return map.entrySet().stream().map(entry -> entry.getKey() + "=\"" + entry.getValue() + "\"")
                .collect(Collectors.joining(", ", "{", "}"));
    }

    private static Object parse(String body, String what) {
        try {
            return Json.parse(body);
        } catch (IllegalArgumentException e) {
            throw new ExtensionFailedException("Prometheus's answer to " + what + " is not JSON (" + e.getMessage()
                    + ")");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value, String part, String what) {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new ExtensionFailedException("Prometheus's answer to " + what + " is not what its API describes: "
                + part + " is not a JSON object");
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value, String part, String what) {
        if (value instanceof List<?> list) {
            return (List<Object>) list;
        }
        throw new ExtensionFailedException("Prometheus's answer to " + what + " is not what its API describes: "
                + part + " is not a JSON array");
    }
}
