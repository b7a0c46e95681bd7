package dev.gantry.server.build;

import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one attempt's progress off the build's own thread, so that a stage or step starts without waiting for a
 * database commit (or, on an agent, an HTTP round trip), nor for the stages to be written as JSON. Every write is a
 * whole snapshot, taken when the write begins: reports made while one write is on its way come down to one more
 * write, of the latest state, and writes are never reordered. The attempt's final state goes with
 * {@link BuildCoordinator#finish}, after {@link #flush}.
 */
final class ProgressReporter {
    private static final Logger log = LoggerFactory.getLogger(ProgressReporter.class);

    /** The attempt's status (building or testing) and its stages as the API shows them. */
    record Snapshot(String status, String stagesJson) {
    }

    private final BuildCoordinator coordinator;
    private final BuildLease lease;
    private final Executor writer;
    private final Supplier<Snapshot> snapshot;
    private boolean pending;
    private boolean writing;

    ProgressReporter(BuildCoordinator coordinator, BuildLease lease, Executor writer, Supplier<Snapshot> snapshot) {
        this.coordinator = coordinator;
        this.lease = lease;
        this.writer = writer;
        this.snapshot = snapshot;
    }

    /** The attempt's state changed: a snapshot is written, unless one already waits to be. */
    void report() {
        synchronized (this) {
            pending = true;
            if (writing) {
                return;
            }
            writing = true;
        }
        writer.execute(this::writeAll);
    }

    /** Waits until every reported snapshot has been written (or its write failed). */
    synchronized void flush() throws InterruptedException {
        while (writing) {
            wait();
        }
    }

    private void writeAll() {
        while (true) {
            synchronized (this) {
                if (!pending) {
                    writing = false;
                    notifyAll();
                    return;
                }
                pending = false;
            }
            try {
                Snapshot next = snapshot.get();
                // false: the lease is gone; the heartbeat tells the build's thread, which then stops
                coordinator.progress(lease, next.status(), next.stagesJson());
            } catch (RuntimeException e) {
                // progress is shown, not relied on: the next snapshot or the finish carries it again
                log.warn("Progress of build {} not recorded: {}", lease.buildId(), e.getMessage());
            }
        }
    }
}
