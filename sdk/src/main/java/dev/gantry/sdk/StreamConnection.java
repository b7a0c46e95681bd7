package dev.gantry.sdk;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one {@code GET /api/flags/stream} open (docs/flags.md, "The stream"): hands each event to the client, sends
 * {@code Last-Event-ID} when it reconnects, treats any bytes (heartbeats included) as a sign of life and drops a
 * connection that has been silent for the heartbeat timeout, and reconnects with capped exponential backoff and
 * jitter. A refused token (401/403) is logged once and retried only at the longest backoff.
 */
final class StreamConnection {
    private static final System.Logger LOG = System.getLogger(GantryFlags.class.getName());
    /** A snapshot is one event-stream line; this bounds what a broken server can make the client hold. */
    private static final int MAX_LINE_BYTES = 64 * 1024 * 1024;

    interface EventSink {
        /** Applies one event; an exception is logged and the event skipped. */
        void apply(String type, String data);

        /** The number of flags being served, for log lines. */
        int flagCount();
    }

    private final HttpClient http;
    private final URI streamUri;
    private final String token;
    private final Duration heartbeatTimeout;
    private final Duration requestTimeout;
    private final long initialBackoffMillis;
    private final long maxBackoffMillis;
    private final ScheduledExecutorService scheduler;
    private final EventSink sink;
    private final Clock clock;

    // guarded by this
    private ConnectionState state = ConnectionState.CONNECTING;
    private Instant disconnectedSince;
    private String lastError;
    private int failures;
    private boolean unauthorizedLogged;
    private boolean outageLogged;
    private volatile Session current;
    private ScheduledFuture<?> reconnect;
    private ScheduledFuture<?> watchdog;
    private boolean closed;

    private volatile String lastEventId;

    StreamConnection(HttpClient http, URI streamUri, String token, Duration heartbeatTimeout, Duration requestTimeout,
            Duration initialBackoff, Duration maxBackoff, ScheduledExecutorService scheduler, EventSink sink,
            Clock clock) {
        this.http = http;
        this.streamUri = streamUri;
        this.token = token;
        this.heartbeatTimeout = heartbeatTimeout;
        this.requestTimeout = requestTimeout;
        this.initialBackoffMillis = Math.max(1, initialBackoff.toMillis());
        this.maxBackoffMillis = Math.max(initialBackoffMillis, maxBackoff.toMillis());
        this.scheduler = scheduler;
        this.sink = sink;
        this.clock = clock;
        this.disconnectedSince = clock.instant();
    }

    synchronized void start() {
        long period = Math.max(50, Math.min(5_000, heartbeatTimeout.toMillis() / 4));
        watchdog = scheduler.scheduleWithFixedDelay(this::checkLiveness, period, period, TimeUnit.MILLISECONDS);
        connect();
    }

    synchronized ConnectionStatus status() {
        return new ConnectionStatus(state, Optional.ofNullable(disconnectedSince), Optional.ofNullable(lastEventId),
                Optional.ofNullable(lastError));
    }

    synchronized void close() {
        closed = true;
        state = ConnectionState.CLOSED;
        if (reconnect != null) {
            reconnect.cancel(false);
        }
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        if (current != null) {
            current.abort("the client was closed");
        }
    }

    private synchronized void connect() {
        if (closed) {
            return;
        }
        Session session = new Session();
        current = session;
        HttpRequest.Builder request = HttpRequest.newBuilder(streamUri)
                .timeout(requestTimeout)
                .header("Accept", "text/event-stream")
                .header("Cache-Control", "no-cache")
                .header("Authorization", "Bearer " + token);
        String resumeFrom = lastEventId;
        if (resumeFrom != null) {
            request.header("Last-Event-ID", resumeFrom);
        }
        CompletableFuture<HttpResponse<Void>> exchange;
        try {
            exchange = http.sendAsync(request.GET().build(), info -> {
                if (info.statusCode() == 200) {
                    opened(session);
                    return session;
                }
                return BodySubscribers.mapping(BodySubscribers.ofString(StandardCharsets.UTF_8), body -> {
                    session.errorBody = body;
                    return null;
                });
            });
        } catch (RuntimeException e) {
            ended(session, null, e);
            return;
        }
        exchange.whenComplete((response, error) -> ended(session, response, error));
    }

    private synchronized void opened(Session session) {
        if (session != current || closed) {
            return;
        }
        session.lastActivityNanos = System.nanoTime();
        if (state != ConnectionState.CONNECTED) {
            if (outageLogged || unauthorizedLogged) {
                LOG.log(Level.INFO, "Gantry flags: connected to {0} again", streamUri);
            } else {
                LOG.log(Level.DEBUG, "Gantry flags: connected to {0}", streamUri);
            }
        }
        state = ConnectionState.CONNECTED;
        disconnectedSince = null;
        lastError = null;
        outageLogged = false;
        unauthorizedLogged = false;
    }

    private synchronized void ended(Session session, HttpResponse<Void> response, Throwable error) {
        if (session != current || closed) {
            return;
        }
        current = null;
        int status = response == null ? 0 : response.statusCode();
        String reason;
        if (session.abortReason != null) {
            reason = session.abortReason;
        } else if (status == 200) {
            reason = "the server closed the stream";
        } else if (status != 0) {
            reason = "HTTP " + status + describe(session.errorBody);
        } else {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            reason = cause == null ? "the connection ended"
                    : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        }
        if (session.receivedBytes) {
            failures = 0;
        }
        boolean wasConnected = state == ConnectionState.CONNECTED;
        if (disconnectedSince == null) {
            disconnectedSince = clock.instant();
        }
        lastError = reason;
        long delay;
        if (status == 401 || status == 403) {
            state = ConnectionState.UNAUTHORIZED;
            delay = jitter(maxBackoffMillis);
            if (!unauthorizedLogged) {
                unauthorizedLogged = true;
                LOG.log(Level.ERROR, "Gantry flags: the server refused the SDK token ({0}) for {1}; check that it is an"
                        + " SDK token of this environment. Serving the last known flags ({2}); retrying every {3} s",
                        reason, streamUri, sink.flagCount(), maxBackoffMillis / 1000.0);
            } else {
                LOG.log(Level.DEBUG, "Gantry flags: token still refused ({0})", reason);
            }
        } else {
            if (state != ConnectionState.UNAUTHORIZED) {
                state = ConnectionState.CONNECTING;
            }
            delay = jitter(Math.min(maxBackoffMillis, initialBackoffMillis << Math.min(failures, 20)));
            failures++;
            if (wasConnected || !outageLogged) {
                outageLogged = true;
                LOG.log(Level.WARNING, "Gantry flags: no stream from {0} ({1}); serving the last known flags ({2}),"
                        + " reconnecting", streamUri, reason, sink.flagCount());
            } else {
                LOG.log(Level.DEBUG, "Gantry flags: reconnect failed ({0}); next try in {1} ms", reason, delay);
            }
        }
        reconnect = scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    /** Between half of {@code base} and all of it, so that many clients dropped at once do not return at once. */
    private static long jitter(long base) {
        long half = Math.max(1, base / 2);
        return half + ThreadLocalRandom.current().nextLong(base - half + 1);
    }

    private void checkLiveness() {
        Session session;
        synchronized (this) {
            session = current;
        }
        if (session == null || session.lastActivityNanos == 0) {
            return;
        }
        long silentNanos = System.nanoTime() - session.lastActivityNanos;
        if (silentNanos > heartbeatTimeout.toNanos()) {
            session.abort("nothing received, not even a heartbeat, for " + heartbeatTimeout.toMillis() / 1000.0 + " s");
        }
    }

    private static String describe(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String trimmed = body.strip();
        return ": " + (trimmed.length() > 200 ? trimmed.substring(0, 200) + "…" : trimmed);
    }

    /** One connection's body: feeds the event-stream parser and hands events to the sink. */
    private final class Session implements BodySubscriber<Void> {
        private final CompletableFuture<Void> body = new CompletableFuture<>();
        private final SseParser parser = new SseParser(this::onEvent, MAX_LINE_BYTES);
        private volatile Flow.Subscription subscription;
        volatile long lastActivityNanos;
        volatile boolean receivedBytes;
        volatile String abortReason;
        volatile String errorBody;

        @Override
        public CompletionStage<Void> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (abortReason != null) {
                s.cancel();
            } else {
                s.request(1);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            lastActivityNanos = System.nanoTime();
            receivedBytes = true;
            try {
                for (ByteBuffer buffer : buffers) {
                    parser.feed(buffer);
                }
            } catch (RuntimeException e) {
                abort("unreadable event stream: " + e.getMessage());
                return;
            }
            if (abortReason == null) {
                subscription.request(1);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            body.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            body.complete(null);
        }

        void abort(String reason) {
            abortReason = reason;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            body.completeExceptionally(new IOException(reason));
        }

        private void onEvent(String type, String id, String data) {
            if (abortReason != null || this != current) {
                return;
            }
            try {
                sink.apply(type, data);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Gantry flags: skipped a {0} event (id {1}) that could not be applied: {2}",
                        type, id, e.getMessage());
            }
            if (id != null) {
                lastEventId = id;
            }
        }
    }
}
