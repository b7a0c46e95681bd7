package com.example.gantry.filenotifier;

import dev.gantry.plugin.api.notify.Notification;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;

/**
 * A notification as one line of JSON. Written by hand to keep the plugin free of libraries; if yours needs a JSON
 * library, add it as a compile dependency and it is packed into the zip's lib/ (the server's Jackson is not visible
 * to plugins).
 */
final class JsonLine {
    private JsonLine() {
    }

    static String of(Notification notification) {
        StringBuilder out = new StringBuilder("{");
        member(out, "event", notification.event()).append(',');
        member(out, "title", notification.title()).append(',');
        member(out, "text", notification.text()).append(',');
        member(out, "link", notification.link()).append(',');
        quote(out, "fields").append(":{");
        boolean first = true;
        for (Map.Entry<String, String> field : new TreeMap<>(notification.fields()).entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            member(out, field.getKey(), field.getValue());
        }
        out.append("},");
        member(out, "occurred_at", DateTimeFormatter.ISO_INSTANT.format(notification.occurredAt()));
        return out.append('}').toString();
    }

    private static StringBuilder member(StringBuilder out, String name, String value) {
        quote(out, name).append(':');
        return quote(out, value);
    }

    /** A JSON string: quote, backslash and control characters escaped (so the line never breaks), the rest as is. */
    static StringBuilder quote(StringBuilder out, String text) {
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
                    if (c < 0x20 || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c) && !isPaired(text, i)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    private static boolean isPaired(String text, int i) {
        char c = text.charAt(i);
        return Character.isHighSurrogate(c)
                ? i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
    }
}
