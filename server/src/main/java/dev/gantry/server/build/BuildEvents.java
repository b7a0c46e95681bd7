package dev.gantry.server.build;

import dev.gantry.server.persistence.Notifications;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * Wakes the log followers of a build when any replica appended to its log or changed its status (LISTEN/NOTIFY), so
 * a follower reads new lines at once instead of polling.
 */
public class BuildEvents {
    private final Map<String, Set<Semaphore>> waiters = new ConcurrentHashMap<>();
    /** Followers wait on their own threads, not on the HTTP server's. */
    private final ExecutorService followers = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "build-log-follower");
        thread.setDaemon(true);
        return thread;
    });

    @Inject
    public BuildEvents(Notifications notifications) {
        notifications.subscribe(BuildQueue.LOG_CHANNEL, this::wake);
        notifications.subscribe(BuildQueue.STATUS_CHANNEL, this::wake);
    }

    void follow(Runnable follower) {
        followers.execute(follower);
    }

    /** A signal released whenever {@code buildId} changes; {@link #forget} it when done. */
    Semaphore watch(String buildId) {
        Semaphore signal = new Semaphore(0);
        waiters.computeIfAbsent(buildId, id -> ConcurrentHashMap.newKeySet()).add(signal);
        return signal;
    }

    void forget(String buildId, Semaphore signal) {
        waiters.computeIfPresent(buildId, (id, set) -> {
            set.remove(signal);
            return set.isEmpty() ? null : set;
        });
    }

    private void wake(String buildId) {
        if (buildId == null) {
            // the notification feed was lost for a while: every follower looks again
            waiters.values().forEach(set -> set.forEach(Semaphore::release));
            return;
        }
        Set<Semaphore> set = waiters.get(buildId);
        if (set != null) {
            set.forEach(Semaphore::release);
        }
    }
}
