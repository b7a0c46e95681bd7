package dev.gantry.sdk;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A small stand-in for the server's side of docs/flags.md's stream, on the JDK's HTTP server: {@code GET
 * /api/flags/stream?environment=…} with a bearer token answers a snapshot event, then the changes published
 * afterwards, each with the next id, and {@code : heartbeat} comments; a request with {@code Last-Event-ID: n} gets
 * the events after n, or a snapshot when n is older than the history kept. {@code POST /api/flags/exposures} keeps
 * the bodies. It can drop its connections, go silent, and stop and start again on the same port with its state, as a
 * restarted server would.
 */
public final class TestFlagServer implements AutoCloseable {
    private static final Object DROP = new Object();

    private record Event(long id, String type, String data) {
    }

    private final String token;
    private final String environment;
    private final LinkedHashMap<String, String> flags = new LinkedHashMap<>();
    private final LinkedHashMap<String, String> segments = new LinkedHashMap<>();
    private final List<Event> history = new ArrayList<>();
    private long lastId = 100;
    private long oldestResumable = 0;
    private volatile long heartbeatMillis = 15_000;
    private volatile boolean silent;
    private volatile int exposureStatus = 204;

    private final List<LinkedBlockingQueue<Object>> connections = new CopyOnWriteArrayList<>();
    private final List<String> lastEventIds = new CopyOnWriteArrayList<>();
    private final List<Integer> streamStatuses = new CopyOnWriteArrayList<>();
    private final List<String> exposureBodies = new CopyOnWriteArrayList<>();

    private HttpServer server;
    private ExecutorService executor;
    private int port;

    public TestFlagServer(String token, String environment) {
        this.token = token;
        this.environment = environment;
    }

    public synchronized TestFlagServer start() throws IOException {
        return start(port);
    }

    private TestFlagServer start(int onPort) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 50);
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-flag-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/api/flags/stream", this::stream);
        server.createContext("/api/flags/exposures", this::exposures);
        server.start();
        port = server.getAddress().getPort();
        return this;
    }

    /** Stops listening and closes every connection; {@link #start()} binds the same port again. */
    public synchronized void stop() {
        dropConnections();
        server.stop(0);
        executor.shutdownNow();
    }

    @Override
    public void close() {
        stop();
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public void heartbeatEvery(long millis) {
        heartbeatMillis = millis;
    }

    /** Sends nothing more, not even heartbeats, on the open connections (a hung server or a dead proxy). */
    public void goSilent(boolean silent) {
        this.silent = silent;
    }

    public void answerExposures(int status) {
        exposureStatus = status;
    }

    /** Closes the open streams, as a restarting replica or a proxy timeout would. */
    public void dropConnections() {
        for (LinkedBlockingQueue<Object> queue : connections) {
            queue.add(DROP);
        }
    }

    /** Forgets the event history, so a client that resumes gets a fresh snapshot. */
    public synchronized void forgetHistory() {
        oldestResumable = lastId;
        history.clear();
    }

    public synchronized void putFlag(String flagJson) {
        String key = (String) Json.object(Json.parse(flagJson), "flag").get("key");
        flags.put(key, flagJson);
        publish("flag", flagJson);
    }

    public synchronized void removeFlag(String key) {
        flags.remove(key);
        publish("flag_removed", "{\"key\": \"" + key + "\"}");
    }

    public synchronized void putSegment(String segmentJson) {
        String key = (String) Json.object(Json.parse(segmentJson), "segment").get("key");
        segments.put(key, segmentJson);
        publish("segment", segmentJson);
    }

    public synchronized void removeSegment(String key) {
        segments.remove(key);
        publish("segment_removed", "{\"key\": \"" + key + "\"}");
    }

    public int openConnections() {
        return connections.size();
    }

    /** The Last-Event-ID of each stream request with a valid token, in order ("" when none was sent). */
    public List<String> lastEventIds() {
        return List.copyOf(lastEventIds);
    }

    /** The status of every stream request, in order. */
    public List<Integer> streamStatuses() {
        return List.copyOf(streamStatuses);
    }

    public List<String> exposureBodies() {
        return List.copyOf(exposureBodies);
    }

    public synchronized long lastId() {
        return lastId;
    }

    private void publish(String type, String data) {
        Event event = new Event(++lastId, type, data);
        history.add(event);
        for (LinkedBlockingQueue<Object> queue : connections) {
            queue.add(event);
        }
    }

    private synchronized String snapshotData() {
        return "{\"environment\": \"" + environment + "\", \"flags\": [" + String.join(", ", flags.values())
                + "], \"segments\": [" + String.join(", ", segments.values()) + "]}";
    }

    private void stream(HttpExchange exchange) throws IOException {
        try (exchange) {
            String query = exchange.getRequestURI().getQuery();
            if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                streamStatuses.add(401);
                byte[] body = "{\"error\": \"unauthorized\", \"message\": \"invalid SDK token\"}"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(401, body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            if (query == null || !query.equals("environment=" + environment)) {
                streamStatuses.add(404);
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            streamStatuses.add(200);
            String resume = exchange.getRequestHeaders().getFirst("Last-Event-ID");
            lastEventIds.add(resume == null ? "" : resume);

            LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
            List<Event> first = new ArrayList<>();
            synchronized (this) {
                long after = resume == null ? -1 : parseId(resume);
                if (after >= oldestResumable && after <= lastId) {
                    for (Event e : history) {
                        if (e.id > after) {
                            first.add(e);
                        }
                    }
                } else {
                    first.add(new Event(lastId, "snapshot", snapshotData()));
                }
                connections.add(queue);
            }
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            try {
                for (Event e : first) {
                    write(out, e);
                }
                out.flush();
                while (true) {
                    Object next = queue.poll(heartbeatMillis, TimeUnit.MILLISECONDS);
                    if (next == DROP) {
                        return;
                    }
                    if (silent) {
                        continue;
                    }
                    if (next == null) {
                        out.write(": heartbeat\n\n".getBytes(StandardCharsets.UTF_8));
                    } else {
                        write(out, (Event) next);
                    }
                    out.flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the client went away
            } finally {
                connections.remove(queue);
            }
        }
    }

    private static long parseId(String id) {
        try {
            return Long.parseLong(id.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void write(OutputStream out, Event e) throws IOException {
        // one data line per line of the JSON, as a server that pretty-prints would send it
        StringBuilder sb = new StringBuilder();
        sb.append("event: ").append(e.type).append('\n').append("id: ").append(e.id).append('\n');
        for (String line : e.data.split("\n", -1)) {
            sb.append("data: ").append(line).append('\n');
        }
        sb.append('\n');
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void exposures(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exposureBodies.add(body);
            }
            exchange.sendResponseHeaders(exposureStatus, -1);
        }
    }

    /** A flag in an environment, as the stream sends it. */
    public static String flag(String key, long version, boolean enabled, String rules) {
        return "{\"key\": \"" + key + "\", \"type\": \"release\", \"version\": " + version + ", \"enabled\": " + enabled
                + ", \"variants\": [{\"key\": \"on\", \"payload\": true}, {\"key\": \"off\", \"payload\": false}],"
                + " \"off_variant\": \"off\", \"rules\": " + rules + "}";
    }

    public static Map<String, Object> parse(String json) {
        return Json.object(Json.parse(json), "json");
    }
}
