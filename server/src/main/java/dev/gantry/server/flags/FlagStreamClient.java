package dev.gantry.server.flags;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.glassfish.jersey.server.ChunkedOutput;

/**
 * One connected stream. Events wait in a queue of their own, bounded in bytes (an event always fits into an
 * empty queue), and one writer at a time drains it into the response on a shared pool; a client that does not read
 * blocks only that writer. When the queue would overflow, the client is dropped at once: its queue is emptied, it
 * gets no more events, and its connection is closed as soon as the blocked write gives up (Jetty's idle timeout).
 * It reconnects with {@code Last-Event-ID} and resumes; the server never holds more than the bound for it. Events
 * come encoded, the same array for every client of an environment: nothing is encoded per client.
 */
final class FlagStreamClient {
    static final byte[] HEARTBEAT = ": heartbeat\n\n".getBytes(StandardCharsets.UTF_8);

    private record Chunk(long id, byte[] bytes) {
    }

    final String environment;
    final Optional<String> sdkTokenId;
    /** Jersey's own queue holds two chunks at most, so a writer blocks there instead of piling chunks up in it. */
    final ChunkedOutput<byte[]> output = ChunkedOutput.<byte[]>builder(byte[].class).queueCapacity(2).build();
    private final int budget;
    private final Executor writers;
    /** Called once, when the client is dropped or its stream ended. */
    private final Consumer<FlagStreamClient> onGone;
    private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
    private int queuedBytes;
    /** Events up to this id were in what the client got first (snapshot or replay); later copies are skipped. */
    private long sentUpTo = Long.MAX_VALUE;
    private boolean started;
    private boolean writing;
    private boolean closed;
    private boolean dropped;
    private boolean gone;

    FlagStreamClient(String environment, Optional<String> sdkTokenId, int budget, Executor writers,
                     Consumer<FlagStreamClient> onGone) {
        this.environment = environment;
        this.sdkTokenId = sdkTokenId;
        this.budget = budget;
        this.writers = writers;
        this.onGone = onGone;
    }

    /**
     * Sends {@code first} (the snapshot or the replayed events, up to event {@code upTo}), then whatever was queued
     * meanwhile that is newer. {@code first} is queued in the response before it is even connected, so it is not
     * counted against the bound.
     */
    void start(byte[] first, long upTo) throws IOException {
        output.write(first);
        synchronized (this) {
            sentUpTo = upTo;
            started = true;
            if (!shouldPump()) {
                return;
            }
        }
        writers.execute(this::pump);
    }

    /** Queues event {@code id} (or a comment, with id -1); false when the client is gone. */
    boolean offer(long id, byte[] bytes) {
        boolean pump;
        boolean droppedNow = false;
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (!queue.isEmpty() && queuedBytes + bytes.length > budget) {
                // too far behind: drop it rather than hold more for it
                dropped = true;
                droppedNow = true;
                closed = true;
                queue.clear();
                queuedBytes = 0;
            } else {
                queue.add(new Chunk(id, bytes));
                queuedBytes += bytes.length;
            }
            pump = shouldPump();
        }
        if (droppedNow) {
            gone();
        }
        if (pump) {
            writers.execute(this::pump);
        }
        return !droppedNow;
    }

    /** A heartbeat, unless something is queued or being written anyway (then that shows the stream is alive). */
    void heartbeat() {
        synchronized (this) {
            if (!started || writing || closed || !queue.isEmpty()) {
                return;
            }
        }
        offer(-1, HEARTBEAT);
    }

    /** Ends the stream (token deleted, server stopping). */
    void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            queuedBytes = 0;
            if (!shouldPump()) {
                return;
            }
        }
        writers.execute(this::pump);
    }

    synchronized boolean wasDropped() {
        return dropped;
    }

    /** Whether a writer must be started now (called holding the lock); marks it started. */
    private boolean shouldPump() {
        if (writing || !started && !closed) {
            return false;
        }
        writing = true;
        return true;
    }

    private void pump() {
        while (true) {
            Chunk chunk;
            synchronized (this) {
                if (closed) {
                    break;
                }
                chunk = queue.poll();
                if (chunk == null) {
                    writing = false;
                    return;
                }
                queuedBytes -= chunk.bytes().length;
                if (chunk.id() >= 0 && chunk.id() <= sentUpTo) {
                    continue;
                }
            }
            try {
                output.write(chunk.bytes());
            } catch (IOException | RuntimeException e) {
                // the client went away
                synchronized (this) {
                    closed = true;
                    queue.clear();
                    queuedBytes = 0;
                }
                break;
            }
        }
        try {
            output.close();
        } catch (IOException | RuntimeException e) {
            // already gone
        }
        gone();
    }

    private void gone() {
        synchronized (this) {
            if (gone) {
                return;
            }
            gone = true;
        }
        onGone.accept(this);
    }
}
