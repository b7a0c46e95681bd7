package dev.gantry.server.build;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.auth.Caller;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.http.Json;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.persistence.Ids;
import dev.gantry.server.persistence.Notifications;
import dev.gantry.server.pipeline.When;
import dev.gantry.server.scm.Repository;
import dev.gantry.server.scm.RepositoryService;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Builds as people and webhooks see them: start, read, cancel, rerun, and their logs. */
public class BuildService {
    static final Set<String> RUNNING = Set.of("building", "testing");
    static final Set<String> FINISHED = Set.of("passed", "failed", "cancelled");
    private static final Pattern FULL_SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9._/-]{1,200}");
    private static final String COLUMNS = """
            b.id, r.name, b.commit_sha, b.branch, b.status, b.attempt, b.trigger, b.requested_by, b.rerun_of, b.queued_at,
            b.started_at, b.finished_at, b.cancel_requested, b.failure_reason, b.artifact_digest, b.stages, b.log_lines,
            b.log_truncated, b.agent_id, b.required_labels""";

    private final Database database;
    private final RepositoryService repositories;
    private final BuildConfig config;
    private final Notifications notifications;

    @Inject
    public BuildService(Database database, RepositoryService repositories, BuildConfig config, Notifications notifications) {
        this.database = database;
        this.notifications = notifications;
        this.repositories = repositories;
        this.config = config;
    }

    /** A build that was queued, or the one already in flight for the same repository and commit. */
    public record Enqueued(BuildRepresentation build, boolean created) {
    }

    /** Queues a build of {@code commitSha} (a full SHA); the same commit of a repository is built once at a time. */
    public Enqueued enqueue(Caller caller, String repo, String commitSha, String branch, String trigger, Optional<String> rerunOf) {
        if (repo == null) {
            throw ApiException.missingField("repo");
        }
        checkCommit(commitSha, branch);
        Repository repository = repositories.get(repo);
        Queued queued = database.inSqlTransaction(connection -> enqueue(connection, caller, repository, commitSha, branch,
                trigger, rerunOf));
        if (queued.created()) {
            announceQueued(queued.buildId());
        }
        return new Enqueued(get(queued.buildId()), queued.created());
    }

    /**
     * Wakes this replica's agent for a build just queued and committed, without waiting for the queue's notification
     * to come back from PostgreSQL (other replicas and remote agents hear that one).
     */
    void announceQueued(String buildId) {
        notifications.announceHere(BuildQueue.QUEUE_CHANNEL, buildId);
    }

    /** The id of a build just queued ({@code created}), or of the one already in flight for the same commit. */
    record Queued(String buildId, boolean created) {
    }

    /**
     * Queues a build as {@link #enqueue(Caller, String, String, String, String, Optional)} does, within the caller's
     * transaction, so that what else the caller records commits with it.
     */
    Queued enqueue(Connection connection, Caller caller, Repository repository, String commitSha, String branch,
                   String trigger, Optional<String> rerunOf) throws SQLException {
        checkCommit(commitSha, branch);
        int priority = new When(config.priorityBranches()).matches(branch) ? 1 : 0;
        String id = Ids.newId();
        try (PreparedStatement insert = connection.prepareStatement("""
                insert into builds (id, repo_id, commit_sha, branch, status, priority, trigger, requested_by, rerun_of, queued_at)
                values (?, ?, ?, ?, 'queued', ?, ?, ?, ?, now())
                on conflict (repo_id, commit_sha) where status in ('queued', 'building', 'testing') do nothing
                returning id, pg_notify(?, id)""")) {
            insert.setString(1, id);
            insert.setString(2, repository.id());
            insert.setString(3, commitSha);
            insert.setString(4, branch);
            insert.setInt(5, priority);
            insert.setString(6, trigger);
            insert.setString(7, caller.name());
            insert.setString(8, rerunOf.orElse(null));
            // agents learn of the build when it commits; sent with the inserted row, in the same round trip
            insert.setString(9, BuildQueue.QUEUE_CHANNEL);
            try (ResultSet row = insert.executeQuery()) {
                if (row.next()) {
                    return new Queued(id, true);
                }
            }
        }
        try (PreparedStatement existing = connection.prepareStatement(
                "select id from builds where repo_id = ? and commit_sha = ? and status in ('queued', 'building', 'testing')")) {
            existing.setString(1, repository.id());
            existing.setString(2, commitSha);
            try (ResultSet row = existing.executeQuery()) {
                if (row.next()) {
                    return new Queued(row.getString(1), false);
                }
            }
        }
        // it finished between the two statements: queue it again
        throw new ApiException(409, "conflict", "a build of this commit just finished; try again");
    }

    private static void checkCommit(String commitSha, String branch) {
        if (commitSha == null) {
            throw ApiException.missingField("commit_sha");
        }
        if (branch == null) {
            throw ApiException.missingField("branch");
        }
        if (!FULL_SHA.matcher(commitSha).matches()) {
            throw new ApiException(400, "invalid_field", "commit_sha is the full commit SHA: 40 lowercase hex digits",
                    Map.of("field", "commit_sha"));
        }
        if (!BRANCH.matcher(branch).matches() || branch.contains("..")) {
            throw new ApiException(400, "invalid_field", "not a branch name: " + branch, Map.of("field", "branch"));
        }
    }

    public BuildRepresentation get(String id) {
        return database.inSqlTransaction(connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "select " + COLUMNS + " from builds b join repos r on r.id = b.repo_id where b.id = ?")) {
                query.setString(1, id);
                try (ResultSet row = query.executeQuery()) {
                    if (!row.next()) {
                        throw ApiException.notFound("build '" + id + "'");
                    }
                    return representation(row);
                }
            }
        });
    }

    /** Newest first; optionally of one repository, branch or status. */
    public List<BuildRepresentation> list(Optional<String> repo, Optional<String> branch, Optional<String> status, int limit) {
        Optional<String> repoId = repo.map(name -> repositories.get(name).id());
        return database.inSqlTransaction(connection -> {
            try (PreparedStatement query = connection.prepareStatement("select " + COLUMNS
                    + " from builds b join repos r on r.id = b.repo_id"
                    + " where (?::text is null or b.repo_id = ?) and (?::text is null or b.branch = ?) and (?::text is null or b.status = ?)"
                    + " order by b.queued_at desc, b.id desc limit ?")) {
                query.setString(1, repoId.orElse(null));
                query.setString(2, repoId.orElse(null));
                query.setString(3, branch.orElse(null));
                query.setString(4, branch.orElse(null));
                query.setString(5, status.orElse(null));
                query.setString(6, status.orElse(null));
                query.setInt(7, limit);
                List<BuildRepresentation> builds = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        builds.add(representation(rows));
                    }
                }
                return builds;
            }
        });
    }

    /** A queued build is cancelled at once; a running one is told to stop, and its agent kills its processes. */
    public BuildRepresentation cancel(Caller caller, String id) {
        BuildRepresentation build = get(id);
        if (FINISHED.contains(build.status())) {
            throw ApiException.conflict("build " + id + " already " + build.status());
        }
        database.inSqlTransaction(connection -> {
            try (PreparedStatement queued = connection.prepareStatement("""
                    update builds set status = 'cancelled', cancel_requested = true, finished_at = now(), failure_reason = ?
                    where id = ? and status = 'queued'""")) {
                queued.setString(1, "cancelled by " + caller.name());
                queued.setString(2, id);
                if (queued.executeUpdate() == 1) {
                    Notifications.notify(connection, BuildQueue.STATUS_CHANNEL, id);
                    Notifications.notify(connection, BuildQueue.LOG_CHANNEL, id);
                    return null;
                }
            }
            try (PreparedStatement running = connection.prepareStatement("""
                    update builds set cancel_requested = true, failure_reason = coalesce(failure_reason, ?)
                    where id = ? and status in ('building', 'testing')""")) {
                running.setString(1, "cancelled by " + caller.name());
                running.setString(2, id);
                if (running.executeUpdate() == 1) {
                    Notifications.notify(connection, BuildQueue.CANCEL_CHANNEL, id);
                }
            }
            return null;
        });
        return get(id);
    }

    /** Cancels the builds of {@code repoId}'s {@code branch} queued before {@code newer} (pipeline.yaml's cancel_superseded). */
    List<String> cancelSuperseded(String repoId, String branch, String newer) {
        return database.inSqlTransaction(connection -> {
            List<String> cancelled = new ArrayList<>();
            try (PreparedStatement older = connection.prepareStatement("""
                    update builds set cancel_requested = true,
                        failure_reason = 'superseded by build ' || ?,
                        status = case when status = 'queued' then 'cancelled' else status end,
                        finished_at = case when status = 'queued' then now() else finished_at end
                    where repo_id = ? and branch = ? and id <> ? and status in ('queued', 'building', 'testing')
                      and queued_at < (select queued_at from builds where id = ?)
                    returning id, status""")) {
                older.setString(1, newer);
                older.setString(2, repoId);
                older.setString(3, branch);
                older.setString(4, newer);
                older.setString(5, newer);
                try (ResultSet rows = older.executeQuery()) {
                    while (rows.next()) {
                        cancelled.add(rows.getString(1));
                        Notifications.notify(connection, rows.getString(2).equals("cancelled") ? BuildQueue.STATUS_CHANNEL
                                : BuildQueue.CANCEL_CHANNEL, rows.getString(1));
                    }
                }
            }
            return cancelled;
        });
    }

    public Enqueued rerun(Caller caller, String id) {
        BuildRepresentation build = get(id);
        return enqueue(caller, build.repo(), build.commitSha(), build.branch(), "rerun", Optional.of(id));
    }

    /** One line of a build's log. */
    public record LogLine(long line, Instant timestamp, String level, String message) {
    }

    /** The last {@code count} lines of the log. */
    public List<LogLine> tail(String id, int count) {
        get(id);
        return database.inSqlTransaction(connection -> {
            List<LogLine> lines = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement(
                    "select first_line, written_at, content from build_logs where build_id = ? order by seq desc")) {
                query.setString(1, id);
                query.setFetchSize(64);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next() && lines.size() < count) {
                        List<LogLine> chunk = split(rows.getLong(1), rows.getTimestamp(2), rows.getString(3));
                        Collections.reverse(chunk);
                        for (LogLine line : chunk) {
                            if (lines.size() < count) {
                                lines.add(line);
                            }
                        }
                    }
                }
            }
            Collections.reverse(lines);
            return lines;
        });
    }

    /** The lines from number {@code from} (1-based) on, at most {@code max}. */
    public List<LogLine> linesFrom(String id, long from, int max) {
        return database.inSqlTransaction(connection -> {
            List<LogLine> lines = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement("""
                    select first_line, written_at, content from build_logs
                    where build_id = ? and first_line + line_count > ? order by seq""")) {
                query.setString(1, id);
                query.setLong(2, from);
                query.setFetchSize(64);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next() && lines.size() < max) {
                        for (LogLine line : split(rows.getLong(1), rows.getTimestamp(2), rows.getString(3))) {
                            if (line.line() >= from && lines.size() < max) {
                                lines.add(line);
                            }
                        }
                    }
                }
            }
            return lines;
        });
    }

    private static List<LogLine> split(long firstLine, Timestamp writtenAt, String content) {
        String[] texts = content.split("\n", -1);
        List<LogLine> lines = new ArrayList<>(texts.length);
        for (int i = 0; i < texts.length; i++) {
            String text = texts[i];
            String level = text.startsWith(BuildLogWriter.GANTRY_PREFIX) ? "gantry" : "output";
            lines.add(new LogLine(firstLine + i, writtenAt.toInstant(), level, text));
        }
        return lines;
    }

    private static BuildRepresentation representation(ResultSet row) throws SQLException {
        String id = row.getString(1);
        Instant started = instant(row.getTimestamp(11));
        Instant finished = instant(row.getTimestamp(12));
        Double duration = started == null ? null
                : Duration.between(started, finished == null ? Instant.now() : finished).toMillis() / 1000.0;
        String artifact = row.getString(15);
        return new BuildRepresentation(id, row.getString(2), row.getString(3), row.getString(4), row.getString(5),
                row.getInt(6), row.getString(7), row.getString(8), row.getString(9), instant(row.getTimestamp(10)), started,
                finished, duration, row.getBoolean(13), row.getString(14), artifact, json(row.getString(16)),
                "/api/builds/" + id + "/logs", row.getLong(17), row.getBoolean(18), row.getString(19),
                row.getArray(20) == null ? null : List.of((String[]) row.getArray(20).getArray()));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a build's stages are not JSON", e);
        }
    }
}
