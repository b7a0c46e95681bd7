package dev.gantry.server.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.gantry.server.http.Json;
import dev.gantry.server.persistence.Notifications;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;

/** The SQL of deploys: rows, transitions, approvals and locks. Every state change writes its transition row with it. */
class DeployStore {
    static final String CHANNEL = "gantry_deploys";
    private static final TypeReference<List<PlanStep>> PLAN = new TypeReference<>() {
    };
    private static final String COLUMNS = """
            d.id, d.service, d.environment, d.release_id, r.artifact_digest, d.previous_release_id, p.artifact_digest, d.kind,
            d.rollback_of, d.strategy, d.state, d.plan, d.step, d.step_started_at, d.promote_step, d.reason, d.initiated_by,
            d.driver, d.fence, d.created_at, d.finished_at, now()
            from deploys d join releases r on r.id = d.release_id left join releases p on p.id = d.previous_release_id""";

    @Inject
    DeployStore() {
    }

    Optional<DeployRow> find(Connection connection, String id, boolean forUpdate) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("select " + COLUMNS + " where d.id = ?"
                + (forUpdate ? " for update of d" : ""))) {
            query.setString(1, id);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.of(row(row)) : Optional.empty();
            }
        }
    }

    List<DeployRow> list(Connection connection, Optional<String> service, Optional<String> environment,
                         Optional<String> state, int limit) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("select " + COLUMNS + """
                 where (?::text is null or d.service = ?) and (?::text is null or d.environment = ?)
                    and (?::text[] is null or d.state = any(?::text[]))
                order by d.created_at desc, d.id desc limit ?""")) {
            int i = 1;
            for (Optional<String> filter : List.of(service, environment)) {
                query.setString(i++, filter.orElse(null));
                query.setString(i++, filter.orElse(null));
            }
            // several states, comma-separated: the dashboard asks for every state of a deploy under way at once
            java.sql.Array states = state.isEmpty() ? null : connection.createArrayOf("text", state.get().split(","));
            query.setArray(i++, states);
            query.setArray(i++, states);
            query.setInt(i, limit);
            try (ResultSet rows = query.executeQuery()) {
                List<DeployRow> deploys = new java.util.ArrayList<>();
                while (rows.next()) {
                    deploys.add(row(rows));
                }
                return deploys;
            }
        }
    }

    private static DeployRow row(ResultSet row) throws SQLException {
        List<PlanStep> plan;
        try {
            plan = Json.mapper().readValue(row.getString(12), PLAN);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("the plan of deploy " + row.getString(1) + " is not readable", e);
        }
        int promote = row.getInt(15);
        Optional<Integer> promoteStep = row.wasNull() ? Optional.empty() : Optional.of(promote);
        return new DeployRow(row.getString(1), row.getString(2), row.getString(3), row.getString(4), row.getString(5),
                Optional.ofNullable(row.getString(6)), Optional.ofNullable(row.getString(7)), row.getString(8),
                Optional.ofNullable(row.getString(9)), row.getString(10), row.getString(11), plan, row.getInt(13),
                instant(row.getTimestamp(14)), promoteStep, Optional.ofNullable(row.getString(16)), row.getString(17),
                Optional.ofNullable(row.getString(18)), row.getLong(19), row.getTimestamp(20).toInstant(),
                instant(row.getTimestamp(21)), row.getTimestamp(22).toInstant());
    }

    private static Optional<java.time.Instant> instant(Timestamp timestamp) {
        return Optional.ofNullable(timestamp).map(Timestamp::toInstant);
    }

    void transition(Connection connection, String deployId, String from, String to, Integer step, String action, String actor,
                    String reason) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                insert into deploy_transitions (deploy_id, at, from_state, to_state, step, action, actor, reason)
                values (?, now(), ?, ?, ?, ?, ?, ?)""")) {
            insert.setString(1, deployId);
            insert.setString(2, from);
            insert.setString(3, to);
            insert.setObject(4, step);
            insert.setString(5, action);
            insert.setString(6, actor);
            insert.setString(7, reason);
            insert.executeUpdate();
        }
        Notifications.notify(connection, CHANNEL, deployId);
    }

    /** Moves the deploy to {@code to} (and, if given, a new plan from its first step) when it is still in {@code from}. */
    boolean changeState(Connection connection, DeployRow deploy, String to, Optional<List<PlanStep>> newPlan, String action,
                        String actor, String reason, boolean fenced) throws SQLException {
        boolean terminal = DeployRow.TERMINAL.contains(to);
        try (PreparedStatement update = connection.prepareStatement("""
                update deploys set state = ?, plan = coalesce(?::jsonb, plan), step = case when ?::jsonb is null then step else 0 end,
                    step_started_at = case when ?::jsonb is null then step_started_at else now() end, promote_step = null,
                    reason = coalesce(?, reason), updated_at = now(),
                    finished_at = case when ? then now() else finished_at end,
                    driver = case when ? then null else driver end
                where id = ? and state = ? and step = ? and (not ? or fence = ?)""")) {
            String planJson = newPlan.map(Json::write).orElse(null);
            update.setString(1, to);
            update.setString(2, planJson);
            update.setString(3, planJson);
            update.setString(4, planJson);
            update.setString(5, reason);
            update.setBoolean(6, terminal);
            update.setBoolean(7, terminal);
            update.setString(8, deploy.id());
            update.setString(9, deploy.state());
            update.setInt(10, deploy.step());
            update.setBoolean(11, fenced);
            update.setLong(12, deploy.fence());
            if (update.executeUpdate() != 1) {
                return false;
            }
        }
        transition(connection, deploy.id(), deploy.state(), to, deploy.step(), action, actor, reason);
        if (terminal) {
            releaseLock(connection, deploy);
        }
        return true;
    }

    /** Records that the current step is done and starts the next one; false when the deploy changed meanwhile. */
    boolean advance(Connection connection, DeployRow deploy, Optional<String> weightsJson, String actor) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                update deploys set step = step + 1, step_started_at = now(), promote_step = null, updated_at = now(),
                    weights = case when ?::jsonb is null then weights else weights || ?::jsonb end
                where id = ? and state = ? and step = ? and fence = ?""")) {
            update.setString(1, weightsJson.orElse(null));
            update.setString(2, weightsJson.orElse(null));
            update.setString(3, deploy.id());
            update.setString(4, deploy.state());
            update.setInt(5, deploy.step());
            update.setLong(6, deploy.fence());
            if (update.executeUpdate() != 1) {
                return false;
            }
        }
        PlanStep step = deploy.plan().get(deploy.step());
        transition(connection, deploy.id(), deploy.state(), deploy.state(), deploy.step(), step.kind().id(), actor, step.describe());
        return true;
    }

    void recordHealth(Connection connection, String deployId, String healthJson) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("update deploys set health = ?::jsonb where id = ?")) {
            update.setString(1, healthJson);
            update.setString(2, deployId);
            update.executeUpdate();
        }
    }

    /** Frees the service's lock and hands it to the oldest deploy queued for it, which becomes pending. */
    void releaseLock(Connection connection, DeployRow deploy) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(
                "delete from deploy_locks where service = ? and environment = ? and deploy_id = ?")) {
            delete.setString(1, deploy.service());
            delete.setString(2, deploy.environment());
            delete.setString(3, deploy.id());
            if (delete.executeUpdate() == 0) {
                return;
            }
        }
        try (PreparedStatement next = connection.prepareStatement("""
                select id from deploys where service = ? and environment = ? and state = 'queued'
                order by created_at, id limit 1 for update""")) {
            next.setString(1, deploy.service());
            next.setString(2, deploy.environment());
            try (ResultSet row = next.executeQuery()) {
                if (row.next()) {
                    String queued = row.getString(1);
                    lock(connection, deploy.service(), deploy.environment(), queued);
                    try (PreparedStatement start = connection.prepareStatement(
                            "update deploys set state = 'pending', updated_at = now() where id = ?")) {
                        start.setString(1, queued);
                        start.executeUpdate();
                    }
                    transition(connection, queued, "queued", "pending", null, "dequeue", "system",
                            "deploy " + deploy.id() + " finished and freed the lock");
                }
            }
        }
    }

    /** Takes the lock of the service in the environment; the deploy holding it otherwise. */
    Optional<String> lock(Connection connection, String service, String environment, String deployId) throws SQLException {
        while (true) {
            try (PreparedStatement insert = connection.prepareStatement("""
                    insert into deploy_locks (service, environment, deploy_id, acquired_at) values (?, ?, ?, now())
                    on conflict (service, environment) do nothing""")) {
                insert.setString(1, service);
                insert.setString(2, environment);
                insert.setString(3, deployId);
                if (insert.executeUpdate() == 1) {
                    return Optional.empty();
                }
            }
            Optional<String> holder = holder(connection, service, environment);
            if (holder.isPresent()) {
                return holder;
            }
            // the holder let go between the two statements: try again
        }
    }

    /** Who holds the lock, without locking anything. */
    Optional<String> currentHolder(Connection connection, String service, String environment) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "select deploy_id from deploy_locks where service = ? and environment = ?")) {
            query.setString(1, service);
            query.setString(2, environment);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
            }
        }
    }

    void restartStep(Connection connection, String deployId) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("update deploys set step_started_at = now() where id = ?")) {
            update.setString(1, deployId);
            update.executeUpdate();
        }
    }

    /** A queued deploy's plan made anew as it starts (only before its first step). */
    boolean replan(Connection connection, DeployRow deploy, Optional<String> previous, List<PlanStep> plan) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                update deploys set previous_release_id = ?, plan = ?::jsonb, updated_at = now()
                where id = ? and state = ? and step = 0 and fence = ?""")) {
            update.setString(1, previous.orElse(null));
            update.setString(2, Json.write(plan));
            update.setString(3, deploy.id());
            update.setString(4, deploy.state());
            update.setLong(5, deploy.fence());
            return update.executeUpdate() == 1;
        }
    }

    Optional<String> holder(Connection connection, String service, String environment) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "select deploy_id from deploy_locks where service = ? and environment = ? for update")) {
            query.setString(1, service);
            query.setString(2, environment);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
            }
        }
    }

    void moveLock(Connection connection, String service, String environment, String deployId) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                insert into deploy_locks (service, environment, deploy_id, acquired_at) values (?, ?, ?, now())
                on conflict (service, environment) do update set deploy_id = excluded.deploy_id, acquired_at = now()""")) {
            update.setString(1, service);
            update.setString(2, environment);
            update.setString(3, deployId);
            update.executeUpdate();
        }
    }

    /** The release the environment runs now: that of its last succeeded deploy. */
    Optional<String> currentRelease(Connection connection, String service, String environment) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("""
                select release_id from deploys where service = ? and environment = ? and state = 'succeeded'
                order by finished_at desc, id desc limit 1""")) {
            query.setString(1, service);
            query.setString(2, environment);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
            }
        }
    }

    /** Approvals (and refusals) recorded for one approval step, as user → decision. */
    java.util.Map<String, String> decisions(Connection connection, String deployId, int step) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "select user_name, decision from deploy_approvals where deploy_id = ? and step = ? order by at")) {
            query.setString(1, deployId);
            query.setInt(2, step);
            try (ResultSet rows = query.executeQuery()) {
                java.util.Map<String, String> decisions = new java.util.LinkedHashMap<>();
                while (rows.next()) {
                    decisions.put(rows.getString(1), rows.getString(2));
                }
                return decisions;
            }
        }
    }
}
