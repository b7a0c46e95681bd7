package dev.gantry.server.flags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A server-sent events client for tests: reads a stream on its own thread and hands over events and comments. */
final class SseStream implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An event ({@code event} set) or a comment line ({@code comment} set). */
    record Event(String id, String event, String data, String comment) {
        JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (IOException e) {
                throw new AssertionError("event data is not JSON: " + data, e);
            }
        }

        long idNumber() {
            return Long.parseLong(id);
        }
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final int status;
    private final String contentType;
    private final InputStream body;
    private final Thread reader;

    private SseStream(HttpResponse<InputStream> response) {
        this.status = response.statusCode();
        this.contentType = response.headers().firstValue("Content-Type").orElse("");
        this.body = response.body();
        this.reader = new Thread(this::read, "test-sse-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static SseStream open(URI base, String path, String token, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + token);
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        try {
            return new SseStream(client.send(request.GET().build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    int status() {
        return status;
    }

    String contentType() {
        return contentType;
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            String event = null;
            StringBuilder data = null;
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (event != null || data != null) {
                        events.add(new Event(id, event == null ? "message" : event, data == null ? "" : data.toString(), null));
                    }
                    id = null;
                    event = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    events.add(new Event(null, null, null, line.substring(1).trim()));
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    String value = line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5);
                    data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                }
            }
            events.add(new Event(null, null, null, "<end of stream>"));
        } catch (IOException e) {
            events.add(new Event(null, null, null, "<end of stream>"));
        }
    }

    /** The next event or comment, failing after {@code seconds}. */
    Event next(int seconds) {
        try {
            Event event = events.poll(seconds, TimeUnit.SECONDS);
            if (event == null) {
                throw new AssertionError("nothing arrived on the stream within " + seconds + " s");
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The next event, skipping heartbeats and other comments. */
    Event nextEvent(int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long left = TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime());
            Event event = next((int) Math.max(1, left));
            if (event.event() != null) {
                return event;
            }
            if ("<end of stream>".equals(event.comment())) {
                throw new AssertionError("the stream ended");
            }
        }
    }

    /** Whatever arrived and is waiting, without blocking. */
    java.util.List<Event> drain() {
        java.util.List<Event> drained = new java.util.ArrayList<>();
        events.drainTo(drained);
        return drained;
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException e) {
            // closing anyway
        }
        reader.interrupt();
    }
}
