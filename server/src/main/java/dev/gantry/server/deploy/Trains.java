package dev.gantry.server.deploy;

import dev.gantry.server.artifact.ArtifactDigest;
import dev.gantry.server.auth.Caller;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.persistence.Ids;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Release trains: several services to one environment, each deployed once the services it depends on (its
 * {@code depends_on} among the train's members) succeeded. A cycle is refused before anything starts.
 */
public class Trains {
    private static final Logger log = LoggerFactory.getLogger(Trains.class);
    private final Database database;
    private final DeployCatalog catalog;
    private final DeployService deploys;

    @Inject
    public Trains(Database database, DeployCatalog catalog, DeployService deploys) {
        this.database = database;
        this.catalog = catalog;
        this.deploys = deploys;
    }

    public record TrainRequest(String environment, List<Member> deploys) {
    }

    public record Member(String service, String artifactSha) {
    }

    public record TrainRepresentation(String trainId, String environment, String status, Optional<String> reason,
                                      List<MemberView> members, String createdBy, Instant createdAt, Optional<Instant> finishedAt) {
    }

    public record MemberView(String service, String artifactSha, int position, List<String> dependsOn,
                             Optional<String> deployId, Optional<String> deployStatus) {
    }

    public TrainRepresentation start(Caller caller, TrainRequest request) {
        if (request == null || request.environment() == null) {
            throw ApiException.missingField("environment");
        }
        if (request.deploys() == null || request.deploys().isEmpty()) {
            throw ApiException.missingField("deploys");
        }
        catalog.environment(request.environment());
        Map<String, String> digests = new LinkedHashMap<>();
        Map<String, List<String>> dependsOn = new LinkedHashMap<>();
        for (Member member : request.deploys()) {
            if (member == null || member.service() == null || member.artifactSha() == null) {
                throw new ApiException(400, "invalid_field", "each of deploys names a service and its artifact_sha",
                        Map.of("field", "deploys"));
            }
            if (digests.put(member.service(), ArtifactDigest.parse(member.artifactSha()).toString()) != null) {
                throw new ApiException(400, "invalid_field", "the service " + member.service() + " is in the train twice",
                        Map.of("field", "deploys"));
            }
        }
        for (String service : digests.keySet()) {
            dependsOn.put(service, catalog.service(service).spec().dependsOn().stream().filter(digests::containsKey).toList());
        }
        List<String> order = order(dependsOn);
        String id = Ids.newId();
        database.inSqlTransaction(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("""
                    insert into trains (id, environment, state, created_by, created_at) values (?, ?, 'in_progress', ?, now())""")) {
                insert.setString(1, id);
                insert.setString(2, request.environment());
                insert.setString(3, caller.name());
                insert.executeUpdate();
            }
            try (PreparedStatement insert = connection.prepareStatement("""
                    insert into train_members (train_id, service, artifact_digest, position, depends_on) values (?, ?, ?, ?, ?)""")) {
                for (int position = 0; position < order.size(); position++) {
                    String service = order.get(position);
                    insert.setString(1, id);
                    insert.setString(2, service);
                    insert.setString(3, digests.get(service));
                    insert.setInt(4, position);
                    insert.setArray(5, connection.createArrayOf("text", dependsOn.get(service).toArray()));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return null;
        });
        advance(id, caller);
        return get(id);
    }

    /** The services in an order where each comes after those it depends on; a cycle is a 400 that names it. */
    static List<String> order(Map<String, List<String>> dependsOn) {
        List<String> order = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (String service : dependsOn.keySet()) {
            visit(service, dependsOn, done, new ArrayList<>(), order);
        }
        return order;
    }

    private static void visit(String service, Map<String, List<String>> dependsOn, Set<String> done, List<String> path,
                              List<String> order) {
        if (done.contains(service)) {
            return;
        }
        int seen = path.indexOf(service);
        if (seen >= 0) {
            List<String> cycle = new ArrayList<>(path.subList(seen, path.size()));
            cycle.add(service);
            throw new ApiException(400, "dependency_cycle", "these services depend on each other in a cycle, so none can go "
                    + "first: " + String.join(" → ", cycle) + " (see each one's depends_on)", Map.of("cycle", cycle));
        }
        path.add(service);
        for (String dependency : dependsOn.get(service)) {
            visit(dependency, dependsOn, done, path, order);
        }
        path.remove(path.size() - 1);
        done.add(service);
        order.add(service);
    }

    /** Called when a deploy ends: its train, if any, moves on or stops. */
    void deployFinished(String deployId) {
        Optional<String> train = database.inSqlTransaction(connection -> {
            try (PreparedStatement query = connection.prepareStatement("select train_id from train_members where deploy_id = ?")) {
                query.setString(1, deployId);
                try (ResultSet row = query.executeQuery()) {
                    return row.next() ? Optional.of(row.getString(1)) : Optional.<String>empty();
                }
            }
        });
        train.ifPresent(id -> advance(id, Caller.SYSTEM));
    }

    /** Moves every running train on (the controller calls this now and then). */
    void sweep() {
        List<String> running = database.inSqlTransaction(connection -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement("select id from trains where state = 'in_progress'");
                 ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
            return ids;
        });
        running.forEach(id -> advance(id, Caller.SYSTEM));
    }

    /** Starts every member whose dependencies succeeded; ends the train when all did, or one did not. */
    private void advance(String trainId, Caller caller) {
        database.inSqlTransaction(connection -> {
            String environment;
            try (PreparedStatement lock = connection.prepareStatement(
                    "select environment, state from trains where id = ? for update")) {
                lock.setString(1, trainId);
                try (ResultSet row = lock.executeQuery()) {
                    row.next();
                    if (!row.getString(2).equals("in_progress")) {
                        return null;
                    }
                    environment = row.getString(1);
                }
            }
            List<MemberView> members = members(connection, trainId);
            Map<String, String> status = new LinkedHashMap<>();
            members.forEach(member -> status.put(member.service(), member.deployStatus().orElse("waiting")));
            for (MemberView member : members) {
                String state = status.get(member.service());
                if (state.equals("failed") || state.equals("rolled_back")) {
                    finish(connection, trainId, "failed", "the deploy " + member.deployId().orElseThrow() + " of "
                            + member.service() + " ended " + state + "; the services after it were not deployed");
                    return null;
                }
            }
            if (status.values().stream().allMatch("succeeded"::equals)) {
                finish(connection, trainId, "succeeded", null);
                return null;
            }
            for (MemberView member : members) {
                if (member.deployId().isEmpty() && member.dependsOn().stream().allMatch(d -> status.get(d).equals("succeeded"))) {
                    try {
                        String deployId = deploys.start(caller, new DeployService.DeployRequest(member.service(),
                                member.artifactSha(), environment, Optional.empty(), Optional.of(true), Optional.empty())).deployId();
                        try (PreparedStatement update = connection.prepareStatement(
                                "update train_members set deploy_id = ? where train_id = ? and service = ?")) {
                            update.setString(1, deployId);
                            update.setString(2, trainId);
                            update.setString(3, member.service());
                            update.executeUpdate();
                        }
                    } catch (ApiException e) {
                        log.warn("Train {}: the deploy of {} did not start: {}", trainId, member.service(), e.getMessage());
                        finish(connection, trainId, "failed", "the deploy of " + member.service() + " did not start: " + e.getMessage());
                        return null;
                    }
                }
            }
            return null;
        });
    }

    private static void finish(Connection connection, String trainId, String state, String reason) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "update trains set state = ?, reason = ?, finished_at = now() where id = ?")) {
            update.setString(1, state);
            update.setString(2, reason);
            update.setString(3, trainId);
            update.executeUpdate();
        }
    }

    public TrainRepresentation get(String id) {
        return database.inSqlTransaction(connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "select environment, state, reason, created_by, created_at, finished_at from trains where id = ?")) {
                query.setString(1, id);
                try (ResultSet row = query.executeQuery()) {
                    if (!row.next()) {
                        throw ApiException.notFound("train '" + id + "'");
                    }
                    return new TrainRepresentation(id, row.getString(1), row.getString(2), Optional.ofNullable(row.getString(3)),
                            members(connection, id), row.getString(4), row.getTimestamp(5).toInstant(),
                            Optional.ofNullable(row.getTimestamp(6)).map(java.sql.Timestamp::toInstant));
                }
            }
        });
    }

    private static List<MemberView> members(Connection connection, String trainId) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("""
                select m.service, m.artifact_digest, m.position, m.depends_on, m.deploy_id, d.state
                from train_members m left join deploys d on d.id = m.deploy_id where m.train_id = ? order by m.position""")) {
            query.setString(1, trainId);
            try (ResultSet rows = query.executeQuery()) {
                List<MemberView> members = new ArrayList<>();
                while (rows.next()) {
                    members.add(new MemberView(rows.getString(1), rows.getString(2), rows.getInt(3),
                            List.of((String[]) rows.getArray(4).getArray()), Optional.ofNullable(rows.getString(5)),
                            Optional.ofNullable(rows.getString(6))));
                }
                return members;
            }
        }
    }
}
