package dev.gantry.sdk;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a {@code text/event-stream} as it arrives, in chunks cut anywhere (WHATWG HTML, "Server-sent events",
 * "Interpreting an event stream"): lines end with LF, CR or CRLF; {@code :} starts a comment; a blank line dispatches
 * the event gathered so far; {@code id} persists until another one replaces it. Lines are split on bytes, which is
 * safe in UTF-8 (CR and LF never occur inside a multi-byte character), and decoded whole.
 */
final class SseParser {
    interface Listener {
        /** An event: its type ({@code message} when none was given), the last event id (null if none), its data. */
        void onEvent(String type, String lastEventId, String data);
    }

    private final Listener listener;
    private final int maxLineBytes;
    private byte[] line = new byte[512];
    private int lineLength;
    private boolean afterCarriageReturn;
    private boolean started;

    private String eventType = "";
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;
    private String lastEventId;

    SseParser(Listener listener, int maxLineBytes) {
        this.listener = listener;
        this.maxLineBytes = maxLineBytes;
    }

    /** The id of the last event dispatched (or set by an {@code id} line), null if none yet. */
    String lastEventId() {
        return lastEventId;
    }

    void feed(ByteBuffer buffer) {
        while (buffer.hasRemaining()) {
            byte b = buffer.get();
            if (afterCarriageReturn) {
                afterCarriageReturn = false;
                if (b == '\n') {
                    continue;
                }
            }
            if (b == '\n' || b == '\r') {
                afterCarriageReturn = b == '\r';
                endOfLine();
            } else {
                if (lineLength == line.length) {
                    if (lineLength >= maxLineBytes) {
                        throw new IllegalStateException("an event-stream line is longer than " + maxLineBytes + " bytes");
                    }
                    line = Arrays.copyOf(line, Math.min(maxLineBytes, line.length * 2));
                }
                line[lineLength++] = b;
            }
        }
    }

    private void endOfLine() {
        int start = 0;
        if (!started) {
            started = true;
            // a UTF-8 byte order mark at the start of the stream is ignored
            if (lineLength >= 3 && (line[0] & 0xff) == 0xef && (line[1] & 0xff) == 0xbb && (line[2] & 0xff) == 0xbf) {
                start = 3;
            }
        }
        String text = new String(line, start, lineLength - start, StandardCharsets.UTF_8);
        lineLength = 0;
        if (line.length > 64 * 1024) {
            line = new byte[512];
        }
        processLine(text);
    }

    private void processLine(String text) {
        if (text.isEmpty()) {
            dispatch();
            return;
        }
        if (text.charAt(0) == ':') {
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = "";
        if (colon >= 0) {
            int from = colon + 1;
            if (from < text.length() && text.charAt(from) == ' ') {
                from++;
            }
            value = text.substring(from);
        }
        switch (field) {
            case "event":
                eventType = value;
                break;
            case "data":
                data.append(value).append('\n');
                hasData = true;
                break;
            case "id":
                if (value.indexOf('\0') < 0) {
                    lastEventId = value;
                }
                break;
            default:
                // "retry" and unknown fields: reconnection timing is the client's own (capped backoff)
                break;
        }
    }

    private void dispatch() {
        if (!hasData) {
            eventType = "";
            return;
        }
        String payload = data.substring(0, data.length() - 1);
        String type = eventType.isEmpty() ? "message" : eventType;
        data.setLength(0);
        hasData = false;
        eventType = "";
        listener.onEvent(type, lastEventId, payload);
    }
}
