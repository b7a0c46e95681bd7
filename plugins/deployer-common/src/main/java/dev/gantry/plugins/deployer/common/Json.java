package dev.gantry.plugins.deployer.common;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the few JSON documents the deployers handle: instance records, the router's admin.json, state and
 * samples. Hand-written because a plugin may not use the server's Jackson, and a JSON library in lib/ would be most of
 * the zip. Objects become {@link LinkedHashMap}s, arrays {@link List}s, integral numbers {@link Long}s and other numbers
 * {@link Double}s.
 */
public final class Json {
    /** Deeper nesting than any document here has; a bound keeps a hostile answer from overflowing the stack. */
    private static final int MAX_DEPTH = 64;

    private final String text;
    private int position;

    private Json(String text) {
        this.text = text;
    }

    public static Object parse(String text) {
        Json parser = new Json(text);
        parser.skipBlanks();
        Object value = parser.value(0);
        parser.skipBlanks();
        if (parser.position != text.length()) {
            throw parser.error("unexpected text after the value");
        }
        return value;
    }

    /** The document, which must be an object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        if (parse(text) instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IllegalArgumentException("expected a JSON object");
    }

    /**
     * The rows of the array {@code field} of the object {@code text}, each an array of numbers read into a
     * {@code double[]}: the router's samples can run to millions, too many to hold as boxed numbers in lists. Integers
     * up to 2^53 (epoch milliseconds, statuses) are exact as doubles.
     */
    public static List<double[]> numberRows(String text, String field) {
        Json parser = new Json(text);
        List<double[]> rows = new ArrayList<>();
        parser.skipBlanks();
        if (!parser.peek('{')) {
            throw parser.error("expected a JSON object");
        }
        parser.position++;
        parser.skipBlanks();
        boolean more = !parser.peek('}');
        while (more) {
            parser.skipBlanks();
            if (!parser.peek('"')) {
                throw parser.error("expected a key");
            }
            String key = parser.string();
            parser.skipBlanks();
            parser.expect(':');
            parser.skipBlanks();
            if (key.equals(field)) {
                parser.rows(rows);
            } else {
                parser.value(1);
            }
            parser.skipBlanks();
            more = parser.peek(',');
            if (more) {
                parser.position++;
            }
        }
        parser.expect('}');
        parser.skipBlanks();
        if (parser.position != text.length()) {
            throw parser.error("unexpected text after the value");
        }
        return rows;
    }

    private void rows(List<double[]> rows) {
        expect('[');
        skipBlanks();
        if (peek(']')) {
            position++;
            return;
        }
        double[] row = new double[4];
        while (true) {
            skipBlanks();
            expect('[');
            int size = 0;
            skipBlanks();
            if (!peek(']')) {
                while (true) {
                    skipBlanks();
                    if (!(number() instanceof Number number)) {
                        throw error("expected a number");
                    }
                    if (size == row.length) {
                        row = java.util.Arrays.copyOf(row, size * 2);
                    }
                    row[size++] = number.doubleValue();
                    skipBlanks();
                    if (peek(',')) {
                        position++;
                    } else {
                        break;
                    }
                }
            }
            expect(']');
            rows.add(java.util.Arrays.copyOf(row, size));
            skipBlanks();
            if (peek(',')) {
                position++;
            } else {
                expect(']');
                return;
            }
        }
    }

    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nested too deeply");
        }
        if (position >= text.length()) {
            throw error("unexpected end");
        }
        char c = text.charAt(position);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> map = new LinkedHashMap<>();
        position++;
        skipBlanks();
        if (peek('}')) {
            position++;
            return map;
        }
        while (true) {
            skipBlanks();
            if (!peek('"')) {
                throw error("expected a key");
            }
            String key = string();
            skipBlanks();
            expect(':');
            skipBlanks();
            map.put(key, value(depth + 1));
            skipBlanks();
            if (peek(',')) {
                position++;
            } else {
                expect('}');
                return map;
            }
        }
    }

    private List<Object> array(int depth) {
        List<Object> list = new ArrayList<>();
        position++;
        skipBlanks();
        if (peek(']')) {
            position++;
            return list;
        }
        while (true) {
            skipBlanks();
            list.add(value(depth + 1));
            skipBlanks();
            if (peek(',')) {
                position++;
            } else {
                expect(']');
                return list;
            }
        }
    }

    private String string() {
        position++;
        StringBuilder out = new StringBuilder();
        while (true) {
            if (position >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(position++);
            if (c == '"') {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (position >= text.length()) {
                throw error("unterminated string");
            }
            char escaped = text.charAt(position++);
            switch (escaped) {
                case '"', '\\', '/' -> out.append(escaped);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (position + 4 > text.length()) {
                        throw error("short \\u escape");
                    }
                    try {
                        out.append((char) Integer.parseInt(text.substring(position, position + 4), 16));
                    } catch (NumberFormatException e) {
                        throw error("bad \\u escape");
                    }
                    position += 4;
                }
                default -> throw error("bad escape");
            }
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, position)) {
            throw error("unexpected character");
        }
        position += word.length();
        return value;
    }

    private Object number() {
        int start = position;
        boolean integral = true;
        while (position < text.length()) {
            char c = text.charAt(position);
            if (c >= '0' && c <= '9' || c == '-') {
                position++;
            } else if (c == '.' || c == 'e' || c == 'E' || c == '+') {
                integral = false;
                position++;
            } else {
                break;
            }
        }
        String number = text.substring(start, position);
        if (number.isEmpty()) {
            throw error("unexpected character");
        }
        try {
            if (integral) {
                try {
                    return Long.parseLong(number);
                } catch (NumberFormatException tooLarge) {
                    return Double.parseDouble(number);
                }
            }
            return Double.parseDouble(number);
        } catch (NumberFormatException e) {
            throw error("malformed number");
        }
    }

    private boolean peek(char c) {
        return position < text.length() && text.charAt(position) == c;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw error("expected '" + c + "'");
        }
        position++;
    }

    private void skipBlanks() {
        while (position < text.length()) {
            char c = text.charAt(position);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                position++;
            } else {
                return;
            }
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("malformed JSON at offset " + position + ": " + what);
    }

    private static void write(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String text) {
            quote(text, out);
        } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
            out.append(value);
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                quote((String) entry.getKey(), out);
                out.append(':');
                write(entry.getValue(), out);
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(list.get(i), out);
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("cannot write a " + value.getClass().getName() + " as JSON");
        }
    }

    private static void quote(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    // typed reads of a parsed object, each naming the field it misses

    public static String string(Map<String, Object> object, String field) {
        if (object.get(field) instanceof String value) {
            return value;
        }
        throw new IllegalArgumentException("field '" + field + "' is missing or not a string");
    }

    public static long number(Map<String, Object> object, String field) {
        if (object.get(field) instanceof Number value && value.doubleValue() == Math.rint(value.doubleValue())) {
            return value.longValue();
        }
        throw new IllegalArgumentException("field '" + field + "' is missing or not an integer");
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Map<String, Object> object, String field) {
        Object value = object.get(field);
        if (value == null) {
            return Map.of();
        }
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IllegalArgumentException("field '" + field + "' is not an object");
    }

    public static List<?> array(Map<String, Object> object, String field) {
        Object value = object.get(field);
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            return list;
        }
        throw new IllegalArgumentException("field '" + field + "' is not an array");
    }
}
