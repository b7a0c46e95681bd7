package dev.gantry.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.http.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The stored looks of canary and soak analyses ({@code deploy_analyses}). */
class AnalysisReports {
    /** What the looks of one step since it started add up to. */
    record StepLooks(int count, double alphaSpent, Optional<Instant> lastAt) {
    }

    StepLooks looks(Connection connection, String deployId, int step, Instant since) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("""
                select count(*), coalesce(sum(alpha_spent), 0), max(looked_at) from deploy_analyses
                where deploy_id = ? and step = ? and looked_at >= ?""")) {
            query.setString(1, deployId);
            query.setInt(2, step);
            query.setTimestamp(3, Timestamp.from(since));
            try (ResultSet row = query.executeQuery()) {
                row.next();
                Timestamp last = row.getTimestamp(3);
                return new StepLooks(row.getInt(1), row.getDouble(2), Optional.ofNullable(last).map(Timestamp::toInstant));
            }
        }
    }

    void record(Connection connection, String deployId, int step, String kind, Instant at, String verdict, String decision,
                double alphaSpent, Map<String, Object> report) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                insert into deploy_analyses (deploy_id, step, kind, looked_at, verdict, decision, alpha_spent, report)
                values (?, ?, ?, ?, ?, ?, ?, ?::jsonb)""")) {
            insert.setString(1, deployId);
            insert.setInt(2, step);
            insert.setString(3, kind);
            insert.setTimestamp(4, Timestamp.from(at));
            insert.setString(5, verdict);
            insert.setString(6, decision);
            insert.setDouble(7, alphaSpent);
            insert.setString(8, Json.write(report));
            insert.executeUpdate();
        }
    }

    /** Every look of a deploy in order, each its stored report. */
    List<JsonNode> list(Connection connection, String deployId) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "select report from deploy_analyses where deploy_id = ? order by looked_at, id")) {
            query.setString(1, deployId);
            try (ResultSet rows = query.executeQuery()) {
                List<JsonNode> looks = new ArrayList<>();
                while (rows.next()) {
                    looks.add(Json.mapper().readTree(rows.getString(1)));
                }
                return looks;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("an analysis report of deploy " + deployId + " is unreadable", e);
            }
        }
    }
}
