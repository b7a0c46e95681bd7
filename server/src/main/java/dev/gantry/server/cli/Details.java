package dev.gantry.server.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A short key/value view of one object: keys aligned, values after them; an absent value leaves its line out, and a
 * value of several lines continues under the first.
 */
final class Details {
    private record Entry(String key, String value) {
    }

    private final List<Entry> entries = new ArrayList<>();

    /** Adds {@code key: value}, unless the value is null or blank. */
    Details add(String key, Object value) {
        if (value != null && !value.toString().isBlank()) {
            entries.add(new Entry(key, value.toString().strip()));
        }
        return this;
    }

    /** The view as lines ending with a line break. */
    String render() {
        int width = entries.stream().mapToInt(entry -> entry.key().length()).max().orElse(0) + 1;
        StringBuilder text = new StringBuilder();
        for (Entry entry : entries) {
            String label = entry.key() + ":";
            String indent = " ".repeat(width + 1);
            String[] lines = entry.value().split("\\R");
            text.append(label).append(" ".repeat(width - label.length() + 1)).append(lines[0].stripTrailing()).append('\n');
            for (int i = 1; i < lines.length; i++) {
                text.append(indent).append(lines[i].stripTrailing()).append('\n');
            }
        }
        return text.toString();
    }
}
