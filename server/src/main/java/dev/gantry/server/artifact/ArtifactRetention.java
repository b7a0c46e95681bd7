package dev.gantry.server.artifact;

import dev.gantry.plugin.api.artifact.ArtifactStore;
import dev.gantry.server.audit.AuditService;
import dev.gantry.server.auth.Caller;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.persistence.Database;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retention job: deletes artifacts older than {@code artifact.retention} that nothing pins. It runs every
 * {@code artifact.retention-interval} on whichever replica holds its advisory lock, and on demand (with a dry run
 * that only lists). Each deletion marks the row {@code deleting} and audits it before the store removes the bytes,
 * so an upload or a pin of the same digest meanwhile is refused rather than lost; a run cut short resumes next time.
 */
public class ArtifactRetention implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ArtifactRetention.class);
    private static final long LOCK_KEY = 0x6761_6e74_7279_0001L; // "gantry" + 1: one job cluster-wide
    private static final int BATCH = 500;

    private final Database database;
    private final ArtifactStores stores;
    private final AuditService audit;
    private final ArtifactConfig config;
    private final Clock clock;
    private ScheduledExecutorService scheduler;

    @Inject
    public ArtifactRetention(Database database, ArtifactStores stores, AuditService audit, ArtifactConfig config, Clock clock) {
        this.database = database;
        this.stores = stores;
        this.audit = audit;
        this.config = config;
        this.clock = clock;
    }

    public record Candidate(String sha, long sizeBytes, Instant createdAt) {
    }

    /** What a run deleted (or, in a dry run, would delete), and how many expired artifacts pins kept. */
    public record Report(boolean dryRun, Instant cutoff, List<Candidate> deleted, long deletedBytes, long keptPinned) {
    }

    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "artifact-retention");
            thread.setDaemon(true);
            return thread;
        });
        long period = config.retentionInterval().toMillis();
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                Report report = run(Caller.SYSTEM, false);
                if (!report.deleted().isEmpty()) {
                    log.info("Retention deleted {} artifacts ({} bytes)", report.deleted().size(), report.deletedBytes());
                }
            } catch (RuntimeException e) {
                log.warn("Artifact retention run failed: {}", e.getMessage());
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    public Report run(Caller caller, boolean dryRun) {
        Instant cutoff = clock.instant().minus(config.retention());
        if (dryRun) {
            List<Candidate> wouldDelete = candidates(cutoff, Integer.MAX_VALUE);
            return new Report(true, cutoff, wouldDelete, sum(wouldDelete), keptPinned(cutoff));
        }
        ArtifactStore store = stores.active();
        try (Connection lock = database.dataSource().getConnection()) {
            if (!tryLock(lock)) {
                throw new ApiException(409, "retention_running", "the retention job is running on another replica; try again when it is done");
            }
            try {
                List<Candidate> deleted = new ArrayList<>();
                for (List<Candidate> batch = candidates(cutoff, BATCH); !batch.isEmpty(); batch = candidates(cutoff, BATCH)) {
                    int before = deleted.size();
                    for (Candidate candidate : batch) {
                        if (delete(caller, store, candidate, cutoff)) {
                            deleted.add(candidate);
                        }
                    }
                    if (deleted.size() == before) {
                        break; // every candidate was pinned meanwhile: nothing more this run
                    }
                }
                return new Report(false, cutoff, deleted, sum(deleted), keptPinned(cutoff));
            } finally {
                unlock(lock);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the retention job cannot reach the database", e);
        }
    }

    private boolean delete(Caller caller, ArtifactStore store, Candidate candidate, Instant cutoff) {
        boolean marked = database.inTransaction(session -> {
            ArtifactEntity artifact = session.find(ArtifactEntity.class, candidate.sha(), LockModeType.PESSIMISTIC_WRITE);
            if (artifact == null || artifact.createdAt.isAfter(cutoff)) {
                return false;
            }
            // a fresh statement after the row lock: sees any pin committed while this waited for it
            long pins = session.createQuery("select count(*) from ArtifactPinEntity where key.digest = :digest", Long.class)
                    .setParameter("digest", candidate.sha()).getSingleResult();
            if (pins > 0) {
                return false;
            }
            if (!artifact.state.equals(ArtifactEntity.DELETING)) {
                audit.record(session, caller, "artifact.delete", artifact.digest,
                        Map.of("state", artifact.state, "size_bytes", artifact.sizeBytes, "created_at", artifact.createdAt.toString()),
                        Map.of("state", ArtifactEntity.DELETING, "reason", "older than " + config.retention().toDays()
                                + " days and not pinned"));
                artifact.state = ArtifactEntity.DELETING;
            }
            return true;
        });
        if (!marked) {
            return false;
        }
        ArtifactDigest digest = ArtifactDigest.parse(candidate.sha());
        ArtifactService.callStore(digest, () -> {
            store.delete(candidate.sha());
            return null;
        });
        database.runInTransaction(session -> session
                .createMutationQuery("delete from ArtifactEntity where digest = :digest and state = 'deleting'")
                .setParameter("digest", candidate.sha())
                .executeUpdate());
        return true;
    }

    private List<Candidate> candidates(Instant cutoff, int limit) {
        return database.inTransaction(session -> session.createQuery("""
                        select a.digest, a.sizeBytes, a.createdAt from ArtifactEntity a
                        where a.createdAt < :cutoff
                        and not exists (from ArtifactPinEntity p where p.key.digest = a.digest)
                        order by a.createdAt, a.digest""", Object[].class)
                .setParameter("cutoff", cutoff)
                .setMaxResults(limit)
                .getResultStream()
                .map(row -> new Candidate((String) row[0], (Long) row[1], (Instant) row[2]))
                .toList());
    }

    private long keptPinned(Instant cutoff) {
        return database.inTransaction(session -> session.createQuery("""
                        select count(*) from ArtifactEntity a where a.createdAt < :cutoff
                        and exists (from ArtifactPinEntity p where p.key.digest = a.digest)""", Long.class)
                .setParameter("cutoff", cutoff)
                .getSingleResult());
    }

    private static long sum(List<Candidate> candidates) {
        return candidates.stream().mapToLong(Candidate::sizeBytes).sum();
    }

    private static boolean tryLock(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("select pg_try_advisory_lock(?)")) {
            statement.setLong(1, LOCK_KEY);
            try (ResultSet result = statement.executeQuery()) {
                return result.next() && result.getBoolean(1);
            }
        }
    }

    private static void unlock(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("select pg_advisory_unlock(?)")) {
            statement.setLong(1, LOCK_KEY);
            statement.execute();
        }
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }
}
