package dev.gantry.server.build;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A build agent: while it has a free slot it asks the coordinator for the next build its labels cover (the claim
 * waits until one is queued, so pick-up is immediate without polling), runs it, renews its lease while it runs,
 * and stops it when it is cancelled or the lease is lost. The same loop runs inside the server and in
 * {@code gantry agent} on other machines; only the coordinator differs.
 */
public final class BuildAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BuildAgent.class);
    /** How long one claim waits for work before it asks again (and the agent shows it is alive). */
    static final Duration CLAIM_WAIT = Duration.ofSeconds(20);

    private final String agentId;
    private final Supplier<Set<String>> labels;
    private final int slotCount;
    private final BuildCoordinator coordinator;
    private final BuildRunner runner;
    private final Duration heartbeatEvery;
    private final ScheduledExecutorService scheduler;
    private final Semaphore slots;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final AtomicInteger threads = new AtomicInteger();
    private final ExecutorService workers;
    private volatile boolean stopped;
    private Thread dispatcher;

    private record Running(Thread thread, BuildRunner.CancelFlag cancel) {
    }

    BuildAgent(String agentId, Supplier<Set<String>> labels, int slots, BuildCoordinator coordinator, BuildRunner runner,
               Duration heartbeatEvery, ScheduledExecutorService scheduler) {
        this.agentId = agentId;
        this.labels = labels;
        this.slotCount = slots;
        this.coordinator = coordinator;
        this.runner = runner;
        this.heartbeatEvery = heartbeatEvery;
        this.scheduler = scheduler;
        this.slots = new Semaphore(slots);
        this.workers = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "build-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    public synchronized void start() {
        runner.start();
        dispatcher = new Thread(this::dispatch, "build-dispatcher");
        dispatcher.setDaemon(true);
        dispatcher.start();
        log.info("Build agent {} runs up to {} builds at once; labels {}", agentId, slotCount, new TreeSet<>(labels.get()));
    }

    public String id() {
        return agentId;
    }

    private void dispatch() {
        long backoffMillis = 500;
        while (!stopped) {
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            try {
                Optional<BuildLease> lease = coordinator.claim(agentId, labels.get(), CLAIM_WAIT);
                backoffMillis = 500;
                if (lease.isEmpty()) {
                    slots.release();
                    continue;
                }
                workers.execute(() -> runLeased(lease.get()));
            } catch (InterruptedException e) {
                slots.release();
                return;
            } catch (RuntimeException e) {
                slots.release();
                log.warn("Build agent could not claim work ({}); trying again in {} ms", e.getMessage(), backoffMillis);
                sleepQuietly(backoffMillis);
                backoffMillis = Math.min(backoffMillis * 2, 10_000);
            }
        }
    }

    private void runLeased(BuildLease lease) {
        BuildRunner.CancelFlag cancel = new BuildRunner.CancelFlag();
        running.put(lease.buildId(), new Running(Thread.currentThread(), cancel));
        var heartbeat = scheduler.scheduleWithFixedDelay(() -> heartbeat(lease), heartbeatEvery.toMillis(),
                heartbeatEvery.toMillis(), TimeUnit.MILLISECONDS);
        try {
            runner.run(lease, cancel);
        } catch (RuntimeException e) {
            log.error("Build {} ended without its outcome recorded; its lease will expire and it runs again", lease.buildId(), e);
        } finally {
            heartbeat.cancel(false);
            running.remove(lease.buildId());
            slots.release();
        }
    }

    private void heartbeat(BuildLease lease) {
        try {
            BuildCoordinator.Heartbeat beat = coordinator.heartbeat(lease);
            if (!beat.leaseHeld()) {
                log.warn("Build {} is no longer leased to this agent; stopping it", lease.buildId());
                cancel(lease.buildId());
            } else if (beat.cancelRequested()) {
                cancel(lease.buildId());
            }
        } catch (RuntimeException e) {
            log.warn("Lease renewal of build {} failed: {}", lease.buildId(), e.getMessage());
        }
    }

    /** Cancels a build running here: its step's processes are killed by the builder when the thread is interrupted. */
    public void cancel(String buildId) {
        Running build = running.get(buildId);
        if (build != null) {
            build.cancel().set();
            build.thread().interrupt();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops claiming, and hands every build running here back to the queue, to run again on another agent. */
    @Override
    public synchronized void close() {
        stopped = true;
        if (dispatcher != null) {
            dispatcher.interrupt();
        }
        for (Running build : running.values()) {
            build.cancel().handBack();
            build.thread().interrupt();
        }
        workers.shutdown();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runner.close();
    }
}
