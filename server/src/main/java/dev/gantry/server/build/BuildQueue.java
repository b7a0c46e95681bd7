package dev.gantry.server.build;

import dev.gantry.server.persistence.Database;
import dev.gantry.server.persistence.Notifications;
import jakarta.inject.Inject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.sql.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol build agents speak, over the {@code builds} table: claim the next queued build ({@code FOR UPDATE SKIP
 * LOCKED}, so agents never wait on each other), keep its lease alive, report progress and log output, finish it.
 * Every write after the claim is fenced by the lease token. Agents reach it through {@link ServerBuildCoordinator}:
 * the in-process agent directly, remote agents over HTTP ({@code /api/agent}). Times come from the database's clock, shared by every replica.
 */
public class BuildQueue {
    static final String QUEUE_CHANNEL = "gantry_build_queue";
    static final String CANCEL_CHANNEL = "gantry_build_cancel";
    static final String LOG_CHANNEL = "gantry_build_log";
    static final String STATUS_CHANNEL = "gantry_build_status";
    private static final Logger log = LoggerFactory.getLogger(BuildQueue.class);
    /** How soon an agent must confirm a claim (see {@link #confirm}). */
    static final Duration CONFIRM_WITHIN = Duration.ofSeconds(5);

    private final Database database;
    private final BuildConfig config;

    @Inject
    public BuildQueue(Database database, BuildConfig config) {
        this.database = database;
        this.config = config;
    }

    /**
     * The next queued build that {@code labels} cover, highest priority first then oldest, now leased to
     * {@code agentId}; empty when none. A claim that may not reach its agent (an answer over the network) is
     * {@code confirmed} later, by the agent's first call about the build ({@link #confirm}).
     */
    public Optional<BuildLease> claim(String agentId, Collection<String> labels, boolean confirmed) {
        return database.inSqlTransaction(connection -> {
            try (PreparedStatement claim = connection.prepareStatement("""
                    with next as (
                        select id from builds
                        where status = 'queued' and (required_labels is null or required_labels <@ ?::text[])
                        order by priority desc, queued_at, id
                        limit 1 for update skip locked)
                    update builds b set status = 'building', agent_id = ?, attempt = b.attempt + 1,
                        lease_token = b.lease_token + 1, lease_confirmed = ?,
                        lease_expires_at = now() + make_interval(secs => ?), started_at = now(), stages = '[]'
                    from next where b.id = next.id
                    returning b.id, b.lease_token, b.attempt, b.repo_id, b.commit_sha, b.branch, b.log_lines, b.log_bytes,
                        pg_notify(?, b.id)""")) {
                claim.setArray(1, connection.createArrayOf("text", labels.toArray()));
                claim.setString(2, agentId);
                claim.setBoolean(3, confirmed);
                Duration length = confirmed || config.leaseTtl().compareTo(CONFIRM_WITHIN) < 0 ? config.leaseTtl() : CONFIRM_WITHIN;
                claim.setDouble(4, length.toMillis() / 1000.0);
                // the status notification is sent with the claimed row, saving a round trip on the way to the build
                claim.setString(5, STATUS_CHANNEL);
                try (ResultSet row = claim.executeQuery()) {
                    if (!row.next()) {
                        return Optional.empty();
                    }
                    BuildLease lease = new BuildLease(row.getString(1), agentId, row.getLong(2), row.getInt(3), row.getString(4),
                            row.getString(5), row.getString(6), row.getLong(7), row.getLong(8));
                    return Optional.of(lease);
                }
            }
        });
    }

    public BuildCoordinator.Heartbeat heartbeat(BuildLease lease) {
        return database.inSqlTransaction(connection -> {
            try (PreparedStatement renew = connection.prepareStatement("""
                    update builds set lease_expires_at = now() + make_interval(secs => ?)
                    where id = ? and lease_token = ? and status in ('building', 'testing')
                    returning cancel_requested""")) {
                renew.setDouble(1, config.leaseTtl().toMillis() / 1000.0);
                renew.setString(2, lease.buildId());
                renew.setLong(3, lease.token());
                try (ResultSet row = renew.executeQuery()) {
                    return row.next() ? new BuildCoordinator.Heartbeat(true, row.getBoolean(1))
                            : new BuildCoordinator.Heartbeat(false, false);
                }
            }
        });
    }

    /**
     * The agent's first call about a claimed build: the claim was answered to an agent that is alive. Until then the
     * lease lasts only {@link #CONFIRM_WITHIN} (a long-polling agent may die while its claim waits) and, if it
     * expires, costs the build no attempt. False when the lease is lost.
     */
    public boolean confirm(BuildLease lease) {
        return database.inSqlTransaction(connection -> {
            // on the way to the first step; lost in a crash of PostgreSQL, the lease would only look unconfirmed
            Database.commitWithoutWaitingForDisk(connection);
            try (PreparedStatement update = connection.prepareStatement("""
                    update builds set lease_confirmed = true, lease_expires_at = now() + make_interval(secs => ?)
                    where id = ? and lease_token = ? and status in ('building', 'testing')""")) {
                update.setDouble(1, config.leaseTtl().toMillis() / 1000.0);
                update.setString(2, lease.buildId());
                update.setLong(3, lease.token());
                return update.executeUpdate() == 1;
            }
        });
    }

    /** The lease {@code token} of a running build, as its agent holds it; empty when that lease is no longer held. */
    public Optional<BuildLease> lease(String buildId, long token) {
        return database.inSqlTransaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement("""
                    select agent_id, attempt, repo_id, commit_sha, branch, log_lines, log_bytes from builds
                    where id = ? and lease_token = ? and status in ('building', 'testing')""")) {
                select.setString(1, buildId);
                select.setLong(2, token);
                try (ResultSet row = select.executeQuery()) {
                    return row.next()
                            ? Optional.of(new BuildLease(buildId, row.getString(1), token, row.getInt(2), row.getString(3),
                                    row.getString(4), row.getString(5), row.getLong(6), row.getLong(7)))
                            : Optional.empty();
                }
            }
        });
    }

    /** Progress: {@code status} is building or testing; {@code stagesJson} the stages as the API shows them. */
    public boolean progress(BuildLease lease, String status, String stagesJson) {
        return database.inSqlTransaction(connection -> {
            // each snapshot replaces the last, and the build's finish (an ordinary commit) is written after it
            Database.commitWithoutWaitingForDisk(connection);
            try (PreparedStatement update = connection.prepareStatement("""
                    update builds set status = ?, stages = ?::jsonb
                    where id = ? and lease_token = ? and status in ('building', 'testing')""")) {
                update.setString(1, status);
                update.setString(2, stagesJson);
                update.setString(3, lease.buildId());
                update.setLong(4, lease.token());
                boolean held = update.executeUpdate() == 1;
                if (held) {
                    Notifications.notify(connection, STATUS_CHANNEL, lease.buildId());
                }
                return held;
            }
        });
    }

    /** The pipeline the build's commit declares, as the API shows it. */
    public boolean recordPipeline(BuildLease lease, String pipelineJson) {
        return database.inSqlTransaction(connection -> {
            // on the way to the first step; durable with the build's finish, and recorded again if the build reruns
            Database.commitWithoutWaitingForDisk(connection);
            try (PreparedStatement update = connection.prepareStatement("""
                    update builds set pipeline = ?::jsonb
                    where id = ? and lease_token = ? and status in ('building', 'testing')""")) {
                update.setString(1, pipelineJson);
                update.setString(2, lease.buildId());
                update.setLong(3, lease.token());
                return update.executeUpdate() == 1;
            }
        });
    }

    /**
     * Appends lines to the build's log as one chunk starting at line {@code firstLine}; followers on any replica are
     * woken. False when the lease is lost.
     */
    public boolean appendLog(BuildLease lease, long firstLine, List<String> lines, long bytes, boolean truncated) {
        if (lines.isEmpty()) {
            return true;
        }
        return database.inSqlTransaction(connection -> {
            try (PreparedStatement counters = connection.prepareStatement("""
                    update builds set log_lines = ?, log_bytes = log_bytes + ?, log_truncated = log_truncated or ?
                    where id = ? and lease_token = ?""")) {
                counters.setLong(1, firstLine + lines.size() - 1); // the number of the last line
                counters.setLong(2, bytes);
                counters.setBoolean(3, truncated);
                counters.setString(4, lease.buildId());
                counters.setLong(5, lease.token());
                if (counters.executeUpdate() != 1) {
                    return false;
                }
            }
            try (PreparedStatement chunk = connection.prepareStatement("""
                    insert into build_logs (build_id, seq, first_line, line_count, written_at, content)
                    values (?, ?, ?, ?, now(), ?)""")) {
                chunk.setString(1, lease.buildId());
                chunk.setLong(2, firstLine);
                chunk.setLong(3, firstLine);
                chunk.setInt(4, lines.size());
                chunk.setString(5, String.join("\n", lines));
                chunk.executeUpdate();
            }
            Notifications.notify(connection, LOG_CHANNEL, lease.buildId());
            return true;
        });
    }

    /** The end of the build: passed, failed or cancelled. */
    public boolean finish(BuildLease lease, String status, Optional<String> failureReason, Optional<String> artifactDigest,
                          String stagesJson) {
        return database.inSqlTransaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement("""
                    update builds set status = ?, artifact_digest = ?, stages = ?::jsonb,
                        failure_reason = case when ? = 'cancelled' then coalesce(failure_reason, ?) else ? end,
                        finished_at = now(), lease_expires_at = null
                    where id = ? and lease_token = ? and status in ('building', 'testing')""")) {
                // a cancelled build keeps the reason its canceller gave (who, or the build that superseded it)
                update.setString(1, status);
                update.setString(2, artifactDigest.orElse(null));
                update.setString(3, stagesJson);
                update.setString(4, status);
                update.setString(5, failureReason.orElse(null));
                update.setString(6, failureReason.orElse(null));
                update.setString(7, lease.buildId());
                update.setLong(8, lease.token());
                boolean held = update.executeUpdate() == 1;
                if (held) {
                    Notifications.notify(connection, STATUS_CHANNEL, lease.buildId());
                    Notifications.notify(connection, LOG_CHANNEL, lease.buildId());
                }
                return held;
            }
        });
    }

    /**
     * Gives a leased build back to the queue: its agent is stopping (the build runs again from its first step), or
     * it lacks {@code requiredLabels}, which are then recorded so that only an agent carrying them claims the build;
     * that attempt does not count.
     */
    public boolean handBack(BuildLease lease, Optional<List<String>> requiredLabels) {
        return database.inSqlTransaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement("""
                    update builds set status = 'queued', agent_id = null, lease_expires_at = null,
                        required_labels = coalesce(?::text[], required_labels),
                        attempt = attempt - case when ?::text[] is null then 0 else 1 end
                    where id = ? and lease_token = ? and status in ('building', 'testing')""")) {
                Array labels = requiredLabels.isEmpty() ? null
                        : connection.createArrayOf("text", requiredLabels.get().toArray());
                update.setArray(1, labels);
                update.setArray(2, labels);
                update.setString(3, lease.buildId());
                update.setLong(4, lease.token());
                boolean held = update.executeUpdate() == 1;
                if (held) {
                    Notifications.notify(connection, QUEUE_CHANNEL, lease.buildId());
                    Notifications.notify(connection, STATUS_CHANNEL, lease.buildId());
                }
                return held;
            }
        });
    }

    /**
     * Builds whose agent stopped renewing its lease (a crashed server or agent): queued again to run from their first
     * step, or failed once they used up their attempts, or cancelled if that was asked. Returns how many were queued.
     */
    public int recoverExpiredLeases() {
        return database.inSqlTransaction(connection -> {
            List<String> requeued = new ArrayList<>();
            try (PreparedStatement recover = connection.prepareStatement("""
                    update builds set
                        status = case when cancel_requested then 'cancelled'
                            when lease_confirmed and attempt >= ? then 'failed' else 'queued' end,
                        failure_reason = case
                            when cancel_requested then 'cancelled'
                            when lease_confirmed and attempt >= ? then 'the build was interrupted ' || attempt
                                 || ' times (the server or agent running it stopped); giving up'
                            else failure_reason end,
                        finished_at = case when cancel_requested or (lease_confirmed and attempt >= ?) then now() else null end,
                        -- a claim its agent never confirmed was never an attempt: the agent was gone before it began
                        attempt = case when lease_confirmed then attempt else attempt - 1 end,
                        agent_id = null, lease_expires_at = null
                    where status in ('building', 'testing') and lease_expires_at < now()
                    returning id, status""")) {
                recover.setInt(1, config.maxAttempts());
                recover.setInt(2, config.maxAttempts());
                recover.setInt(3, config.maxAttempts());
                try (ResultSet rows = recover.executeQuery()) {
                    while (rows.next()) {
                        log.warn("Build {} lost its agent; now {}", rows.getString(1), rows.getString(2));
                        if (rows.getString(2).equals("queued")) {
                            requeued.add(rows.getString(1));
                        }
                        Notifications.notify(connection, STATUS_CHANNEL, rows.getString(1));
                        Notifications.notify(connection, LOG_CHANNEL, rows.getString(1));
                    }
                }
            }
            if (!requeued.isEmpty()) {
                Notifications.notify(connection, QUEUE_CHANNEL, "recovered");
            }
            return requeued.size();
        });
    }
}
