package dev.gantry.sdk;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Gantry's feature flags inside an application: evaluates flags locally from an in-memory snapshot of one
 * environment that the server keeps current over server-sent events (docs/flags.md), so no evaluation waits for the
 * network. Thread-safe; make one per application and environment, and {@link #close()} it at shutdown.
 *
 * <pre>{@code
 * GantryFlags flags = GantryFlags.builder("https://gantry.example.com", sdkToken, "production")
 *         .localFile(Path.of("/var/cache/myapp/flags.json"))
 *         .build();
 * flags.awaitReady(Duration.ofSeconds(2));
 *
 * FlagContext user = FlagContext.builder("u-42").attribute("country", "DE").build();
 * if (flags.isEnabled("new-checkout", user, false)) { ... }
 * }</pre>
 *
 * <p>An evaluation reads the current snapshot (one volatile read), looks the flag up in a hash map and runs its
 * compiled rules; it allocates nothing. An unknown flag gets the caller's default. While the server is unreachable
 * the last known flags keep being served, and the client reconnects in the background.
 */
public final class GantryFlags implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GantryFlags.class.getName());

    private final String environment;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final StreamConnection stream;
    private final ExposureReporter exposures;
    private final Function<String, ExposureCounter> counterLookup;
    private final Path localFile;
    private final boolean writeLocalFile;
    private final CopyOnWriteArrayList<FlagListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean fileWritePending = new AtomicBoolean();
    private final Object readiness = new Object();

    private volatile FlagSnapshot snapshot = FlagSnapshot.EMPTY;
    private volatile boolean ready;
    private volatile boolean closed;
    private boolean fileErrorLogged;

    private GantryFlags(Builder b) {
        this.environment = b.environment;
        this.clock = b.clock;
        this.localFile = b.localFile;
        this.writeLocalFile = b.localFile != null && b.writeLocalFile && !b.offline;
        this.listeners.addAll(b.listeners);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gantry-flags");
            t.setDaemon(true);
            return t;
        });

        HttpClient http = null;
        if (!b.offline) {
            http = b.httpClient != null ? b.httpClient : HttpClient.newBuilder()
                    .connectTimeout(b.connectTimeout)
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .build();
        }
        if (!b.offline && b.exposureReporting) {
            this.exposures = new ExposureReporter(http, URI.create(b.serverUrl + "/api/flags/exposures"), b.sdkToken,
                    environment, b.connectTimeout);
            this.counterLookup = exposures::counter;
        } else {
            this.exposures = null;
            this.counterLookup = null;
        }

        FlagSnapshot initial = null;
        if (b.localFile != null) {
            initial = readLocalFile(b.localFile);
        }
        if (initial == null && b.bootstrap != null) {
            initial = FlagSnapshot.of(Json.object(Json.parse(b.bootstrap), "the bootstrap snapshot"),
                    FlagSnapshot.Source.FILE, counterLookup, this::warn);
        }
        if (initial != null) {
            snapshot = initial;
        }

        if (b.offline) {
            this.stream = null;
        } else {
            URI streamUri = URI.create(b.serverUrl + "/api/flags/stream?environment="
                    + URLEncoder.encode(environment, StandardCharsets.UTF_8));
            this.stream = new StreamConnection(http, streamUri, b.sdkToken, b.heartbeatTimeout, b.connectTimeout,
                    b.initialBackoff, b.maxBackoff, scheduler, new StreamConnection.EventSink() {
                        @Override
                        public void apply(String type, String data) {
                            applyEvent(type, data);
                        }

                        @Override
                        public int flagCount() {
                            return snapshot.size();
                        }
                    }, clock);
            if (exposures != null) {
                long period = b.exposureInterval.toMillis();
                scheduler.scheduleAtFixedRate(exposures::report, period, period, TimeUnit.MILLISECONDS);
            }
            stream.start();
        }
    }

    /**
     * A client of the server at {@code serverUrl} (e.g. {@code https://gantry.example.com}) that reads the flags of
     * {@code environment} with an SDK token of that environment.
     */
    public static Builder builder(String serverUrl, String sdkToken, String environment) {
        requireNonNull(serverUrl, "serverUrl is null");
        requireNonNull(sdkToken, "sdkToken is null");
        requireNonNull(environment, "environment is null");
        URI uri = URI.create(serverUrl);
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("serverUrl must be an http or https URL: " + serverUrl);
        }
        String base = serverUrl.endsWith("/") ? serverUrl.substring(0, serverUrl.length() - 1) : serverUrl;
        return new Builder(base, sdkToken, environment, false);
    }

    /**
     * A client that never connects: it serves the flags of a local file or a bootstrap snapshot (tests, tools, an
     * application cut off from the server on purpose).
     */
    public static Builder offline(String environment) {
        return new Builder(null, null, requireNonNull(environment, "environment is null"), true);
    }

    /**
     * Whether the flag is on for the context: the served variant's payload when it is a boolean, otherwise whether
     * the served variant is not the off variant. {@code defaultValue} when the flag is unknown or invalid. A null
     * context is taken as {@link FlagContext#anonymous()}.
     */
    public boolean isEnabled(String flagKey, FlagContext context, boolean defaultValue) {
        CompiledFlag flag = snapshot.flag(flagKey);
        if (flag == null) {
            return defaultValue;
        }
        if (context == null) {
            context = FlagContext.anonymous();
        }
        FlagEvaluation evaluation = flag.evaluate(context);
        flag.record(evaluation, context);
        return evaluation.variantIndex() < 0 ? defaultValue : evaluation.enabled();
    }

    /** The variant served to the context; empty when the flag is unknown or invalid. */
    public Optional<Variant> variant(String flagKey, FlagContext context) {
        return evaluate(flagKey, context).variant();
    }

    /** The full outcome: variant, reason, the flag's version. */
    public FlagEvaluation evaluate(String flagKey, FlagContext context) {
        CompiledFlag flag = snapshot.flag(flagKey);
        if (flag == null) {
            return FlagEvaluation.NOT_FOUND;
        }
        if (context == null) {
            context = FlagContext.anonymous();
        }
        FlagEvaluation evaluation = flag.evaluate(context);
        flag.record(evaluation, context);
        return evaluation;
    }

    /** The keys of the flags being served. */
    public Set<String> flagKeys() {
        return new TreeSet<>(snapshot.flagDocuments().keySet());
    }

    /** Whether any flags are loaded: from the server, the local file or the bootstrap snapshot. */
    public boolean hasFlags() {
        return snapshot.source != FlagSnapshot.Source.NONE;
    }

    /**
     * Whether the server's snapshot has been received (since then changes arrive as they happen; an offline client
     * is ready once built).
     */
    public boolean isReady() {
        return ready || stream == null;
    }

    /**
     * Waits until {@link #isReady()} or the timeout. Returns early with false when the server refuses the token.
     * Whatever it returns, evaluations work: before the snapshot they use the local file's flags, or the callers'
     * defaults.
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (readiness) {
            while (!isReady() && !closed) {
                if (stream.status().state() == ConnectionState.UNAUTHORIZED) {
                    return false;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                // woken by the snapshot; the short wait also notices a refused token
                readiness.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 50)));
            }
            return isReady();
        }
    }

    /** The stream's state; {@link ConnectionState#OFFLINE} for an offline client. */
    public ConnectionStatus status() {
        if (stream == null) {
            // offline by design is not a lost connection: never stale
            return new ConnectionStatus(closed ? ConnectionState.CLOSED : ConnectionState.OFFLINE,
                    Optional.empty(), Optional.empty(), Optional.empty());
        }
        return stream.status();
    }

    public void addListener(FlagListener listener) {
        listeners.add(requireNonNull(listener, "listener is null"));
    }

    public void removeListener(FlagListener listener) {
        listeners.remove(listener);
    }

    public String environment() {
        return environment;
    }

    /**
     * Stops the stream, sends the exposure counts not yet reported (waiting up to 2 s) and stops the SDK's thread.
     * Evaluations keep working on the last snapshot.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (stream != null) {
            stream.close();
        }
        if (exposures != null) {
            try {
                exposures.report().get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.log(Level.DEBUG, "Gantry flags: last exposure report not sent: {0}", e.toString());
            }
        }
        scheduler.shutdownNow();
        synchronized (readiness) {
            readiness.notifyAll();
        }
    }

    // applying the stream

    private synchronized void applyEvent(String type, String data) {
        FlagSnapshot old = snapshot;
        FlagSnapshot next;
        List<String> changed;
        switch (type) {
            case "snapshot": {
                next = FlagSnapshot.of(Json.object(Json.parse(data), "snapshot"), FlagSnapshot.Source.SERVER,
                        counterLookup, this::warn);
                if (!next.environment.isEmpty() && !next.environment.equals(environment)) {
                    LOG.log(Level.WARNING, "Gantry flags: the server sent the snapshot of environment {0} to a client"
                            + " of {1}", next.environment, environment);
                }
                changed = next.changedFlags(old);
                break;
            }
            case "flag": {
                Map<String, Object> flag = Json.object(Json.parse(data), "flag");
                String key = Json.string(flag, "key", "flag");
                long held = version(old.flagDocuments().get(key));
                if (held > version(flag)) {
                    // versions only grow: an older one arriving late must not undo a newer one
                    LOG.log(Level.DEBUG, "Gantry flags: ignored version {0} of flag {1}, version {2} is applied",
                            version(flag), key, held);
                    return;
                }
                next = old.withFlag(flag, counterLookup, this::warn);
                changed = List.of(key);
                break;
            }
            case "flag_removed": {
                String key = Json.string(Json.object(Json.parse(data), "flag_removed"), "key", "flag_removed");
                next = old.withoutFlag(key);
                changed = List.of(key);
                break;
            }
            case "segment": {
                Map<String, Object> segment = Json.object(Json.parse(data), "segment");
                next = old.withSegment(segment, counterLookup, this::warn);
                changed = next.flagsUsingSegment(Json.string(segment, "key", "segment"));
                break;
            }
            case "segment_removed": {
                String key = Json.string(Json.object(Json.parse(data), "segment_removed"), "key", "segment_removed");
                next = old.withoutSegment(key, counterLookup, this::warn);
                changed = next.flagsUsingSegment(key);
                break;
            }
            default:
                // an event this SDK does not know, from a newer server
                LOG.log(Level.DEBUG, "Gantry flags: ignored a {0} event", type);
                return;
        }
        snapshot = next;
        if (type.equals("snapshot") && !ready) {
            synchronized (readiness) {
                ready = true;
                readiness.notifyAll();
            }
        }
        if (writeLocalFile && fileWritePending.compareAndSet(false, true)) {
            scheduler.execute(this::writeLocalFile);
        }
        if (!changed.isEmpty() && !listeners.isEmpty()) {
            List<String> keys = List.copyOf(changed);
            scheduler.execute(() -> notifyListeners(keys));
        }
    }

    private static long version(Map<String, Object> flag) {
        return flag != null && flag.get("version") instanceof Number n ? n.longValue() : -1;
    }

    private void notifyListeners(List<String> keys) {
        for (FlagListener listener : listeners) {
            try {
                listener.flagsChanged(keys);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Gantry flags: a flag listener failed", e);
            }
        }
    }

    private void warn(String message) {
        LOG.log(Level.WARNING, "Gantry flags: {0}", message);
    }

    // the local file

    private FlagSnapshot readLocalFile(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            FlagSnapshot loaded = FlagSnapshot.of(Json.object(Json.parse(text), file.toString()),
                    FlagSnapshot.Source.FILE, counterLookup, this::warn);
            LOG.log(Level.DEBUG, "Gantry flags: {0} flags from {1}", loaded.size(), file);
            return loaded;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "Gantry flags: ignored the local file {0}: {1}", file, e.getMessage());
            return null;
        }
    }

    private void writeLocalFile() {
        fileWritePending.set(false);
        FlagSnapshot current = snapshot;
        try {
            Path dir = localFile.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            Path temp = Files.createTempFile(dir, localFile.getFileName().toString(), ".tmp");
            try {
                Files.writeString(temp, Json.write(current.toDocument()), StandardCharsets.UTF_8);
                try {
                    Files.move(temp, localFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, localFile, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
            fileErrorLogged = false;
        } catch (IOException | RuntimeException e) {
            if (!fileErrorLogged) {
                fileErrorLogged = true;
                LOG.log(Level.WARNING, "Gantry flags: could not write the local file {0}: {1}", localFile, e.toString());
            }
        }
    }

    /** Settings of a {@link GantryFlags}; {@link #build()} starts connecting and returns at once. */
    public static final class Builder {
        private final String serverUrl;
        private final String sdkToken;
        private final String environment;
        private final boolean offline;
        private Path localFile;
        private boolean writeLocalFile = true;
        private String bootstrap;
        private final List<FlagListener> listeners = new ArrayList<>();
        private boolean exposureReporting = true;
        private Duration exposureInterval = Duration.ofSeconds(60);
        private Duration heartbeatTimeout = Duration.ofSeconds(45);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private HttpClient httpClient;
        private Clock clock = Clock.systemUTC();

        private Builder(String serverUrl, String sdkToken, String environment, boolean offline) {
            this.serverUrl = serverUrl;
            this.sdkToken = sdkToken;
            this.environment = environment;
            this.offline = offline;
        }

        /**
         * A file to start from: if it exists, its flags are served from the start until the server's snapshot
         * arrives (or for ever, offline). Each change from the server is written back to it (atomically, by
         * rename), unless {@link #writeLocalFile(boolean)} says not to. Its form is the {@code snapshot} event's data.
         */
        public Builder localFile(Path file) {
            this.localFile = requireNonNull(file, "file is null");
            return this;
        }

        public Builder writeLocalFile(boolean write) {
            this.writeLocalFile = write;
            return this;
        }

        /**
         * A snapshot to start from (the {@code snapshot} event's data), used when there is no readable local file.
         */
        public Builder bootstrap(String snapshotJson) {
            this.bootstrap = requireNonNull(snapshotJson, "snapshotJson is null");
            return this;
        }

        public Builder listener(FlagListener listener) {
            listeners.add(requireNonNull(listener, "listener is null"));
            return this;
        }

        /** Whether to count evaluations and post them to the server (default: yes, every 60 s). */
        public Builder exposureReporting(boolean report) {
            this.exposureReporting = report;
            return this;
        }

        public Builder exposureInterval(Duration interval) {
            this.exposureInterval = positive(interval, "interval");
            return this;
        }

        /**
         * How long the stream may stay silent, heartbeats included (the server sends one every 15 s), before the
         * connection is dropped and made again (default 45 s).
         */
        public Builder heartbeatTimeout(Duration timeout) {
            this.heartbeatTimeout = positive(timeout, "timeout");
            return this;
        }

        /** Connecting and waiting for the response headers (default 10 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "timeout");
            return this;
        }

        /**
         * Reconnection delays: the first after {@code initial}, doubling each failure up to {@code max}, each drawn
         * between half and all of that (defaults 0.5 s and 30 s). A refused token waits {@code max}.
         */
        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = positive(initial, "initial");
            this.maxBackoff = positive(max, "max");
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("max backoff is below the initial backoff");
            }
            return this;
        }

        /** The HTTP client to use (for a proxy or TLS settings); by default the SDK makes its own. */
        public Builder httpClient(HttpClient client) {
            this.httpClient = requireNonNull(client, "client is null");
            return this;
        }

        Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock is null");
            return this;
        }

        public GantryFlags build() {
            return new GantryFlags(this);
        }

        private static Duration positive(Duration d, String name) {
            requireNonNull(d, name + " is null");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }
    }
}
