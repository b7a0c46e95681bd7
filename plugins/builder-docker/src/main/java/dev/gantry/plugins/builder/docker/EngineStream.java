package dev.gantry.plugins.builder.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.async.ResultCallback;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;

/**
 * A streaming engine request (attach, wait) that docker-java runs on a thread of its own, turned into events on the
 * step's queue. The queue is bounded, so a step that prints faster than the log takes it waits (the engine stops
 * reading its pipe) instead of piling output up in memory. Closing it ends the request and any wait for queue room.
 */
abstract class EngineStream<T> implements ResultCallback<T> {
    private final BlockingQueue<StepEvent> events;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private volatile Closeable request;
    private volatile boolean closed;

    EngineStream(BlockingQueue<StepEvent> events) {
        this.events = requireNonNull(events, "events is null");
    }

    /** Completes once the engine answered the request (for attach: once output is being captured). */
    final CompletableFuture<Void> started() {
        return started;
    }

    @Override
    public final void onStart(Closeable request) {
        this.request = request;
        if (closed) {
            closeQuietly(request);
        }
        started.complete(null);
    }

    @Override
    public final void onError(Throwable failure) {
        started.completeExceptionally(failure);
        if (!closed) {
            ended(failure);
        }
    }

    @Override
    public final void onComplete() {
        started.complete(null);
        ended(null);
    }

    /** The request ended, normally ({@code failure} null) or not. */
    abstract void ended(Throwable failure);

    /** Queues an event for the step's thread; gives up once this stream is closed. */
    final void emit(StepEvent event) {
        if (closed) {
            return;
        }
        try {
            events.put(event);
        } catch (InterruptedException e) {
            // docker-java interrupts this thread when the stream is closed: nobody reads the queue any more
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public final void close() {
        closed = true;
        Closeable current = request;
        if (current != null) {
            closeQuietly(current);
        }
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException | RuntimeException e) {
            // the request is being abandoned; a failure to close it changes nothing
        }
    }
}
