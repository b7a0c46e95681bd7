package dev.gantry.server.build;

import dev.gantry.server.persistence.Ids;
import dev.gantry.server.persistence.Notifications;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The build agent inside the server: it leases builds from {@link BuildQueue} exactly as a remote agent would, runs
 * up to {@code build.agent.slots} at once, renews each lease while the build runs, and stops a build when it is
 * cancelled. It wakes on the queue's notifications (a build queued on any replica), not by polling; a slow timer
 * only catches what a lost notification connection may have missed, and recovers builds whose agent died.
 */
public final class LocalBuildAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalBuildAgent.class);

    private final BuildQueue queue;
    private final BuildRunner runner;
    private final Notifications notifications;
    private final BuildConfig config;
    private final ScheduledExecutorService scheduler;
    private final String agentId = "local-" + Ids.newId();
    private final Semaphore slots;
    private final Semaphore wake = new Semaphore(0);
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final AtomicInteger threads = new AtomicInteger();
    private final ExecutorService workers;
    private volatile boolean stopped;
    private Thread dispatcher;

    private record Running(Thread thread, BuildRunner.CancelFlag cancel) {
    }

    LocalBuildAgent(BuildQueue queue, BuildRunner runner, Notifications notifications, BuildConfig config,
                    ScheduledExecutorService scheduler) {
        this.queue = queue;
        this.runner = runner;
        this.notifications = notifications;
        this.config = config;
        this.scheduler = scheduler;
        this.slots = new Semaphore(config.agentSlots());
        this.workers = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "build-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    public synchronized void start() {
        notifications.subscribe(BuildQueue.CANCEL_CHANNEL, this::onCancel);
        // recovery runs on every replica, agent or not: a build must never stay "building" after its agent died
        long recoveryMillis = Math.max(1000, config.leaseTtl().toMillis() / 2);
        scheduler.scheduleWithFixedDelay(this::recover, 0, recoveryMillis, TimeUnit.MILLISECONDS);
        if (config.agentSlots() == 0) {
            log.info("Build agent off (build.agent.slots=0): this server queues builds but does not run them");
            return;
        }
        notifications.subscribe(BuildQueue.QUEUE_CHANNEL, payload -> wake.release());
        dispatcher = new Thread(this::dispatch, "build-dispatcher");
        dispatcher.setDaemon(true);
        dispatcher.start();
        log.info("Build agent {} runs up to {} builds at once", agentId, config.agentSlots());
    }

    private void dispatch() {
        while (!stopped) {
            try {
                while (!stopped && slots.tryAcquire()) {
                    Optional<BuildLease> lease = queue.claim(agentId);
                    if (lease.isEmpty()) {
                        slots.release();
                        break;
                    }
                    workers.execute(() -> runLeased(lease.get()));
                }
                // a lost notification is caught up on here; queued work normally wakes this at once
                wake.tryAcquire(5, TimeUnit.SECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("Build agent could not claim work: {}", e.getMessage());
                sleepQuietly(1000);
            }
        }
    }

    private void runLeased(BuildLease lease) {
        BuildRunner.CancelFlag cancel = new BuildRunner.CancelFlag();
        running.put(lease.buildId(), new Running(Thread.currentThread(), cancel));
        var heartbeat = scheduler.scheduleWithFixedDelay(() -> heartbeat(lease), config.leaseTtl().toMillis() / 3,
                config.leaseTtl().toMillis() / 3, TimeUnit.MILLISECONDS);
        try {
            runner.run(lease, cancel);
        } finally {
            heartbeat.cancel(false);
            running.remove(lease.buildId());
            slots.release();
            wake.release();
        }
    }

    private void heartbeat(BuildLease lease) {
        try {
            BuildQueue.Heartbeat beat = queue.heartbeat(lease);
            if (!beat.leaseHeld()) {
                log.warn("Build {} is no longer leased to this agent; stopping it", lease.buildId());
                stop(lease.buildId());
            } else if (beat.cancelRequested()) {
                stop(lease.buildId());
            }
        } catch (RuntimeException e) {
            log.warn("Lease renewal of build {} failed: {}", lease.buildId(), e.getMessage());
        }
    }

    private void onCancel(String buildId) {
        if (buildId != null) {
            stop(buildId);
        }
    }

    /** Cancels a build running here: its step's processes are killed by the builder when the thread is interrupted. */
    private void stop(String buildId) {
        Running build = running.get(buildId);
        if (build != null) {
            build.cancel().set();
            build.thread().interrupt();
        }
    }

    /** Stops every build running here and hands it back to the queue, to run again here or on another replica. */
    private void handBack() {
        for (Running build : running.values()) {
            build.cancel().handBack();
            build.thread().interrupt();
        }
    }

    private void recover() {
        try {
            if (queue.recoverExpiredLeases() > 0) {
                wake.release();
            }
        } catch (RuntimeException e) {
            log.debug("Lease recovery skipped: {}", e.getMessage());
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() {
        stopped = true;
        if (dispatcher != null) {
            dispatcher.interrupt();
        }
        handBack();
        workers.shutdown();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
