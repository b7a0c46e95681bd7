package dev.gantry.server.flags;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.plugin.api.flags.FlagDefinition;
import dev.gantry.plugin.api.flags.FlagProvider;
import dev.gantry.plugin.api.flags.SegmentDefinition;
import dev.gantry.server.http.Json;
import dev.gantry.server.http.ServerMetrics;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.persistence.Notifications;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.glassfish.jersey.server.ChunkedOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/flags/stream}: each client gets a snapshot of its environment (or, reconnecting with
 * {@code Last-Event-ID}, the events it missed), then every flag and segment event as it is written on any replica
 * ({@link FlagEvents} announces them through LISTEN/NOTIFY; this replica reads them from the table in id order), and
 * a heartbeat comment while nothing happens. Events are rendered once per environment and shared by its clients.
 */
public class FlagStreams implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FlagStreams.class);
    private static final String TOKEN_DELETED = "sdk_token_deleted:";
    private static final int BATCH = 500;
    /** A client further behind than this gets a snapshot rather than a replay. */
    private static final int MAX_REPLAY = 1000;
    private static final long SNAPSHOT_REUSE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final FlagEvents events;
    private final FlagProviders providers;
    private final Database database;
    private final FlagsConfig config;
    private final Set<FlagStreamClient> clients = ConcurrentHashMap.newKeySet();
    private final ExecutorService writerPool = Executors.newCachedThreadPool(daemon("flag-stream-writer"));
    private final java.util.concurrent.Executor writers = task -> {
        try {
            writerPool.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the server is stopping and closes every stream
        }
    };
    private final ExecutorService feed = Executors.newSingleThreadExecutor(daemon("flag-stream-feed"));
    private final AtomicBoolean catchUpQueued = new AtomicBoolean();
    private final Counter dropped;
    private ScheduledExecutorService heartbeats;
    /** The newest event this replica has passed to its clients; only the feed thread moves it. */
    private volatile long broadcastUpTo = -1;
    /**
     * The last snapshot of each environment, reused for a few seconds while no event happens: a reconnect storm reads
     * the store once. (Not longer: a change whose event was never written must still reach the next snapshots.)
     */
    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();

    private record Snapshot(long id, byte[] bytes, long builtAtNanos) {
    }

    @Inject
    public FlagStreams(FlagEvents events, FlagProviders providers, Database database, Notifications notifications,
                       FlagsConfig config, ServerMetrics metrics) {
        this.events = events;
        this.providers = providers;
        this.database = database;
        this.config = config;
        notifications.subscribe(FlagEvents.CHANNEL, this::onAnnouncement);
        GaugeWithCallback.builder()
                .name("gantry_flag_stream_clients")
                .help("Flag stream clients connected to this replica")
                .callback(callback -> callback.call(clients.size()))
                .register(metrics.registry());
        this.dropped = Counter.builder()
                .name("gantry_flag_stream_dropped_total")
                .help("Flag stream clients dropped because they fell too far behind (they reconnect and resume)")
                .register(metrics.registry());
    }

    /** Starts from the newest event (before the notification feed starts listening), and the heartbeats. */
    public synchronized void start() {
        if (heartbeats != null) {
            return;
        }
        broadcastUpTo = events.newestId();
        heartbeats = Executors.newSingleThreadScheduledExecutor(daemon("flag-stream-heartbeat"));
        long period = config.heartbeat().toMillis();
        heartbeats.scheduleAtFixedRate(() -> {
            clients.forEach(FlagStreamClient::heartbeat);
            // a safety net for an announcement that never came: the query is one index probe
            queueCatchUp();
        }, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens a stream of {@code environment}: a snapshot, or the events after {@code lastEventId} when they are all
     * still kept. {@code sdkTokenId} names the SDK token it was opened with, so deleting the token ends it.
     */
    ChunkedOutput<byte[]> open(String environment, Optional<String> sdkTokenId, OptionalLong lastEventId) {
        FlagProvider provider = providers.active();
        FlagStreamClient client = new FlagStreamClient(environment, sdkTokenId, config.clientBufferBytes(), writers, this::gone);
        // registered before anything is read, so no event can fall between what it is sent first and what follows
        clients.add(client);
        try {
            long newest = events.newestId();
            byte[] first;
            if (lastEventId.isPresent() && canResume(lastEventId.getAsLong(), newest)) {
                StringBuilder replay = new StringBuilder();
                replay.append(": resuming after ").append(lastEventId.getAsLong()).append("\n\n");
                long after = lastEventId.getAsLong();
                while (after < newest) {
                    List<FlagEvents.Event> batch = events.between(after, newest, BATCH);
                    if (batch.isEmpty()) {
                        break;
                    }
                    for (FlagEvents.Event event : batch) {
                        replay.append(render(event, environment));
                        after = event.id();
                    }
                }
                first = replay.toString().getBytes(StandardCharsets.UTF_8);
            } else {
                first = snapshot(provider, environment, newest);
            }
            client.start(first, newest);
        } catch (IOException e) {
            // closed before it started (dropped or deleted meanwhile): the response ends at once
        } catch (RuntimeException e) {
            clients.remove(client);
            throw e;
        }
        return client.output;
    }

    private boolean canResume(long lastEventId, long newest) {
        if (lastEventId > newest || newest - lastEventId > MAX_REPLAY) {
            return false;
        }
        if (lastEventId == newest) {
            return true;
        }
        // every event after lastEventId must still be kept; pruned ones are all older than the oldest kept
        return lastEventId >= events.oldestId() - 1;
    }

    /** The snapshot of {@code environment} as of event {@code id}; shared while no event happens. */
    private byte[] snapshot(FlagProvider provider, String environment, long id) {
        Snapshot last = snapshots.get(environment);
        if (last != null && last.id() == id && System.nanoTime() - last.builtAtNanos() < SNAPSHOT_REUSE_NANOS) {
            return last.bytes();
        }
        ObjectNode data = Json.mapper().createObjectNode();
        data.put("environment", environment);
        ArrayNode flags = data.putArray("flags");
        // read after the newest id: the flags are at least that new, and any later change follows as an event
        for (FlagDefinition flag : provider.list(false)) {
            inEnvironment(FlagRepresentation.document(flag), environment).ifPresent(flags::add);
        }
        ArrayNode segments = data.putArray("segments");
        for (SegmentDefinition segment : provider.segments()) {
            segments.addObject().put("key", segment.key()).set("constraints", SegmentRepresentation.constraints(segment));
        }
        byte[] bytes = sse(id, "snapshot", Json.write(data)).getBytes(StandardCharsets.UTF_8);
        if (snapshots.size() > 100) {
            snapshots.clear(); // environment names come from requests: keep the cache small whatever they ask
        }
        snapshots.put(environment, new Snapshot(id, bytes, System.nanoTime()));
        return bytes;
    }

    /** A flag as the stream sends it to one environment, or empty when it is archived or not set up there. */
    static Optional<ObjectNode> inEnvironment(JsonNode flag, String environment) {
        JsonNode settings = flag.path("environments").path(environment);
        if (flag.path("archived").asBoolean() || !settings.isObject()) {
            return Optional.empty();
        }
        ObjectNode sent = Json.mapper().createObjectNode();
        sent.put("key", flag.path("key").asText());
        sent.put("type", flag.path("type").asText());
        sent.put("version", flag.path("version").asLong());
        sent.set("enabled", settings.path("enabled"));
        sent.set("variants", settings.path("variants"));
        sent.set("off_variant", settings.path("off_variant"));
        sent.set("rules", settings.path("rules"));
        return Optional.of(sent);
    }

    /** One event as {@code environment}'s clients get it. */
    private static String render(FlagEvents.Event event, String environment) {
        JsonNode document;
        try {
            document = Json.mapper().readTree(event.document());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("flag event " + event.id() + " holds invalid JSON", e);
        }
        String key = Json.write(Map.of("key", event.key()));
        if (event.kind().equals("segment")) {
            return event.removed() ? sse(event.id(), "segment_removed", key) : sse(event.id(), "segment", Json.write(document));
        }
        return inEnvironment(document, environment)
                .map(flag -> sse(event.id(), "flag", Json.write(flag)))
                .orElseGet(() -> sse(event.id(), "flag_removed", key));
    }

    private static String sse(long id, String event, String data) {
        return "id: " + id + "\nevent: " + event + "\ndata: " + data + "\n\n";
    }

    private void onAnnouncement(String payload) {
        if (payload != null && payload.startsWith(TOKEN_DELETED)) {
            String tokenId = payload.substring(TOKEN_DELETED.length());
            clients.stream().filter(client -> client.sdkTokenId.filter(tokenId::equals).isPresent())
                    .forEach(FlagStreamClient::close);
            return;
        }
        // an event id, or null after the feed was lost for a while: either way, read what is new
        queueCatchUp();
    }

    private void queueCatchUp() {
        if (broadcastUpTo >= 0 && catchUpQueued.compareAndSet(false, true)) {
            try {
                feed.execute(() -> {
                    catchUpQueued.set(false);
                    catchUp();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                catchUpQueued.set(false); // shutting down
            }
        }
    }

    private void catchUp() {
        try {
            while (true) {
                List<FlagEvents.Event> batch = events.between(broadcastUpTo, Long.MAX_VALUE, BATCH);
                for (FlagEvents.Event event : batch) {
                    broadcast(event);
                    broadcastUpTo = event.id();
                }
                if (batch.size() < BATCH) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            log.warn("Cannot read new flag events (the next announcement or heartbeat tries again): {}", e.getMessage());
        }
    }

    private void broadcast(FlagEvents.Event event) {
        // rendered and encoded once per environment; its clients all write the same bytes
        Map<String, byte[]> rendered = new HashMap<>();
        for (FlagStreamClient client : clients) {
            client.offer(event.id(), rendered.computeIfAbsent(client.environment,
                    environment -> render(event, environment).getBytes(StandardCharsets.UTF_8)));
        }
    }

    private void gone(FlagStreamClient client) {
        if (clients.remove(client) && client.wasDropped()) {
            dropped.inc();
            log.info("Dropped a flag stream client of {} that fell more than {} KiB behind; it resumes when it reconnects",
                    client.environment, config.clientBufferBytes() / 1024);
        }
    }

    /** Ends the streams of a deleted SDK token on every replica. */
    void tokenDeleted(String tokenId) {
        database.inSqlTransaction(connection -> {
            Notifications.notify(connection, FlagEvents.CHANNEL, TOKEN_DELETED + tokenId);
            return null;
        });
    }

    int connected() {
        return clients.size();
    }

    @Override
    public synchronized void close() {
        if (heartbeats != null) {
            heartbeats.shutdownNow();
        }
        feed.shutdownNow();
        clients.forEach(FlagStreamClient::close);
        writerPool.shutdown();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
