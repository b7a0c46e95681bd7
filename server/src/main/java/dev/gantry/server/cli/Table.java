package dev.gantry.server.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table for lists: a header row in capitals, then one row per item, columns left-aligned and two
 * spaces apart, no trailing spaces. An absent value shows as {@code -}; line breaks in a cell become spaces, so
 * one item is always one line (for grep and awk).
 */
final class Table {
    private static final String GAP = "  ";
    private final List<String> headers;
    private final boolean showHeaders;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... headers) {
        this(List.of(headers), true);
    }

    private Table(List<String> headers, boolean showHeaders) {
        this.headers = headers;
        this.showHeaders = showHeaders;
    }

    /** Aligned columns without a header row, for a list inside a summary. */
    static Table withoutHeaders(int columns) {
        return new Table(java.util.Collections.nCopies(columns, ""), false);
    }

    Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("a row of " + headers.size() + " cells, got " + cells.length);
        }
        List<String> row = new ArrayList<>(cells.length);
        for (Object cell : cells) {
            row.add(cell(cell));
        }
        rows.add(row);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The table as lines ending with a line break. */
    String render() {
        int[] widths = new int[headers.size()];
        List<List<String>> all = new ArrayList<>();
        if (showHeaders) {
            all.add(headers.stream().map(header -> header.toUpperCase(java.util.Locale.ROOT)).toList());
        }
        all.addAll(rows);
        for (List<String> row : all) {
            for (int column = 0; column < widths.length; column++) {
                widths[column] = Math.max(widths[column], width(row.get(column)));
            }
        }
        StringBuilder text = new StringBuilder();
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int column = 0; column < widths.length; column++) {
                String value = row.get(column);
                line.append(value);
                if (column < widths.length - 1) {
                    line.append(" ".repeat(widths[column] - width(value))).append(GAP);
                }
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }

    static String cell(Object value) {
        if (value == null) {
            return "-";
        }
        // leading spaces stay: they indent a nested row
        String text = value.toString().stripTrailing().replaceAll("[\\r\\n\\t]+", " ");
        return text.isBlank() ? "-" : text;
    }

    private static int width(String text) {
        return text.codePointCount(0, text.length());
    }
}
