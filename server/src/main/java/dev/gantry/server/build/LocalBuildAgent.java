package dev.gantry.server.build;

import dev.gantry.server.persistence.Notifications;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's part in running builds: its own {@link BuildAgent} (unless {@code build.agent.slots} is 0), which
 * hears cancellations at once through the database's notifications, and, on every replica, the recovery of builds
 * whose agent stopped renewing its lease.
 */
public final class LocalBuildAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalBuildAgent.class);

    private final Optional<BuildAgent> agent;
    private final BuildQueue queue;
    private final Notifications notifications;
    private final BuildConfig config;
    private final ScheduledExecutorService scheduler;

    LocalBuildAgent(Optional<BuildAgent> agent, BuildQueue queue, Notifications notifications, BuildConfig config,
                    ScheduledExecutorService scheduler) {
        this.agent = agent;
        this.queue = queue;
        this.notifications = notifications;
        this.config = config;
        this.scheduler = scheduler;
    }

    public synchronized void start() {
        // recovery runs on every replica, agent or not: a build must never stay "building" after its agent died
        long recoveryMillis = Math.max(1000, config.leaseTtl().toMillis() / 2);
        scheduler.scheduleWithFixedDelay(this::recover, 0, recoveryMillis, TimeUnit.MILLISECONDS);
        if (agent.isEmpty()) {
            log.info("Build agent off (build.agent.slots=0): this server queues builds for remote agents but does not run them");
            return;
        }
        notifications.subscribe(BuildQueue.CANCEL_CHANNEL, buildId -> {
            if (buildId != null) {
                agent.get().cancel(buildId);
            }
        });
        agent.get().start();
    }

    private void recover() {
        try {
            queue.recoverExpiredLeases();
        } catch (RuntimeException e) {
            log.debug("Lease recovery skipped: {}", e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        agent.ifPresent(BuildAgent::close);
    }
}
