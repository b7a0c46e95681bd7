package dev.gantry.server.build;

import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one attempt's progress off the build's own thread, so that a stage or step starts without waiting for a
 * database commit (or, on an agent, an HTTP round trip). Every report is a whole snapshot of the stages: while one
 * write is on its way, only the latest of the reports that follow needs writing, and they are never reordered.
 * The attempt's final state goes with {@link BuildCoordinator#finish}, after {@link #flush}.
 */
final class ProgressReporter {
    private static final Logger log = LoggerFactory.getLogger(ProgressReporter.class);

    private record Snapshot(String status, String stagesJson) {
    }

    private final BuildCoordinator coordinator;
    private final BuildLease lease;
    private final Executor writer;
    private Snapshot pending;
    private boolean writing;

    ProgressReporter(BuildCoordinator coordinator, BuildLease lease, Executor writer) {
        this.coordinator = coordinator;
        this.lease = lease;
        this.writer = writer;
    }

    /** Queues {@code status} and {@code stagesJson} for writing, replacing a queued snapshot not yet written. */
    void report(String status, String stagesJson) {
        synchronized (this) {
            pending = new Snapshot(status, stagesJson);
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
            Snapshot next;
            synchronized (this) {
                next = pending;
                pending = null;
                if (next == null) {
                    writing = false;
                    notifyAll();
                    return;
                }
            }
            try {
                // false: the lease is gone; the heartbeat tells the build's thread, which then stops
                coordinator.progress(lease, next.status(), next.stagesJson());
            } catch (RuntimeException e) {
                // progress is shown, not relied on: the next snapshot or the finish carries it again
                log.warn("Progress of build {} not recorded: {}", lease.buildId(), e.getMessage());
            }
        }
    }
}
