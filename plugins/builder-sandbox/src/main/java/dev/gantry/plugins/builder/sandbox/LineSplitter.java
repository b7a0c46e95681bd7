package dev.gantry.plugins.builder.sandbox;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into lines as they arrive: at each {@code \n} (a {@code \r} before it is dropped), and after
 * {@link #MAX_LINE_BYTES} bytes when a line has no end, so a step printing one endless line is passed on in pieces
 * and never held in memory whole. Bytes are decoded as UTF-8, with U+FFFD for what is not; a long line is cut
 * between characters, never inside one.
 */
final class LineSplitter {
    static final int MAX_LINE_BYTES = 64 * 1024;

    private final Consumer<String> lines;
    private final byte[] line = new byte[MAX_LINE_BYTES];
    private int length;

    LineSplitter(Consumer<String> lines) {
        this.lines = requireNonNull(lines, "lines is null");
    }

    /** Reads {@code in} to its end, passing each line on as soon as it is complete. */
    void pump(InputStream in) throws IOException {
        byte[] buffer = new byte[MAX_LINE_BYTES];
        for (int read; (read = in.read(buffer)) >= 0; ) {
            accept(buffer, 0, read);
        }
        finish();
    }

    void accept(byte[] bytes, int offset, int count) {
        int end = offset + count;
        int i = offset;
        while (i < end) {
            int newline = indexOfNewline(bytes, i, end);
            int stop = newline < 0 ? end : newline;
            while (i < stop) {
                if (length == MAX_LINE_BYTES) {
                    emit(characterBoundary(), false);
                }
                int n = Math.min(stop - i, MAX_LINE_BYTES - length);
                System.arraycopy(bytes, i, line, length, n);
                length += n;
                i += n;
            }
            if (newline >= 0) {
                emit(length, true);
                i = newline + 1;
            }
        }
    }

    private static int indexOfNewline(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Passes on what is left of a last line that has no {@code \n}. */
    void finish() {
        if (length > 0) {
            emit(length, false);
        }
    }

    /** Emits the first {@code end} bytes and keeps the rest as the start of the next line. */
    private void emit(int end, boolean atNewline) {
        int textEnd = atNewline && end > 0 && line[end - 1] == '\r' ? end - 1 : end;
        lines.accept(new String(line, 0, textEnd, StandardCharsets.UTF_8));
        System.arraycopy(line, end, line, 0, length - end);
        length -= end;
    }

    /** Where a full line may be cut without splitting a UTF-8 sequence (at most 3 bytes are carried over). */
    private int characterBoundary() {
        int start = length - 1;
        while (start > length - 4 && start > 0 && (line[start] & 0xC0) == 0x80) {
            start--;
        }
        int lead = line[start] & 0xFF;
        int sequence = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return start + sequence > length ? start : length;
    }
}
