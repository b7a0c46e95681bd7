package dev.gantry.plugins.builder.docker;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Cuts one output stream (stdout or stderr) into lines as its bytes arrive. A line longer than {@link #MAX_LINE_BYTES}
 * keeps its first 64 KiB and says how much was cut, so one endless line cannot exhaust memory; bytes that are not
 * UTF-8 become U+FFFD. Not thread-safe: one splitter per stream, fed by one thread.
 */
final class LineSplitter {
    static final int MAX_LINE_BYTES = 64 * 1024;

    private final byte[] line = new byte[MAX_LINE_BYTES];
    private int length;
    private long cut;

    /** Takes {@code count} bytes of {@code bytes} from {@code offset} and hands every line they complete to {@code lines}. */
    void accept(byte[] bytes, int offset, int count, Consumer<String> lines) {
        requireNonNull(bytes, "bytes is null");
        requireNonNull(lines, "lines is null");
        int end = offset + count;
        int start = offset;
        for (int i = offset; i < end; i++) {
            if (bytes[i] == '\n') {
                append(bytes, start, i - start);
                lines.accept(take());
                start = i + 1;
            }
        }
        append(bytes, start, end - start);
    }

    /** The stream ended: hands over a last line that had no newline. */
    void finish(Consumer<String> lines) {
        if (length > 0 || cut > 0) {
            lines.accept(take());
        }
    }

    private void append(byte[] bytes, int offset, int count) {
        int room = MAX_LINE_BYTES - length;
        int kept = Math.min(room, count);
        System.arraycopy(bytes, offset, line, length, kept);
        length += kept;
        cut += count - kept;
    }

    private String take() {
        int end = length;
        String text;
        if (cut == 0) {
            if (end > 0 && line[end - 1] == '\r') {
                end--; // CRLF output reads as one line, not one ending in a control character
            }
            text = new String(line, 0, end, StandardCharsets.UTF_8);
        } else {
            int whole = wholeCharacters(end);
            long more = cut + (end - whole);
            text = new String(line, 0, whole, StandardCharsets.UTF_8) + " [line cut at 64 KiB: " + more + " more bytes]";
        }
        length = 0;
        cut = 0;
        return text;
    }

    /** Where the last complete UTF-8 character of {@code line[0, end)} ends, so a cut does not split a character. */
    private int wholeCharacters(int end) {
        int lead = end - 1;
        while (lead > 0 && end - lead < 4 && (line[lead] & 0xC0) == 0x80) {
            lead--;
        }
        if (lead < 0) {
            return end;
        }
        int b = line[lead] & 0xFF;
        int size = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
        return lead + size <= end ? end : lead;
    }
}
