package dev.gantry.server.build;

import dev.gantry.plugin.api.scm.PushEvent;
import dev.gantry.server.auth.Caller;
import dev.gantry.server.auth.Role;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.scm.PushHandler;
import dev.gantry.server.scm.Repository;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A verified push: ignored when its branch is filtered out or the delivery was seen before, else a queued build. */
public class BuildPushHandler implements PushHandler {
    private final BuildService builds;
    private final Database database;

    @Inject
    public BuildPushHandler(BuildService builds, Database database) {
        this.builds = builds;
        this.database = database;
    }

    @Override
    public Outcome handle(String provider, Repository repository, PushEvent push) {
        if (!repository.buildsBranch(push.branch())) {
            return new Outcome(false, Map.of("ignored", "branch '" + push.branch() + "' is not in the repository's branch filter "
                    + repository.branches()));
        }
        Caller webhook = new Caller("webhook", "webhook (" + provider + ")", Role.DEVELOPER, "none");
        // one transaction: the delivery is recorded with the build it queued, and a second copy of it, even one that
        // arrives at the same moment, waits for the first and finds it
        Delivery delivery = database.inSqlTransaction(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("""
                    insert into webhook_deliveries (provider, delivery_id, repo_id, received_at)
                    values (?, ?, ?, now()) on conflict do nothing""")) {
                insert.setString(1, provider);
                insert.setString(2, push.deliveryId());
                insert.setString(3, repository.id());
                if (insert.executeUpdate() == 0) {
                    return new Delivery(true, seenBuild(connection, provider, push.deliveryId()));
                }
            }
            String buildId = builds.enqueue(connection, webhook, repository, push.commitSha(), push.branch(), "webhook",
                    Optional.empty()).buildId();
            try (PreparedStatement update = connection.prepareStatement(
                    "update webhook_deliveries set build_id = ? where provider = ? and delivery_id = ?")) {
                update.setString(1, buildId);
                update.setString(2, provider);
                update.setString(3, push.deliveryId());
                update.executeUpdate();
            }
            return new Delivery(false, Optional.of(buildId));
        });
        if (delivery.duplicate()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("duplicate", true);
            body.put("build_id", delivery.buildId().orElse(null));
            return new Outcome(false, body);
        }
        builds.announceQueued(delivery.buildId().orElseThrow());
        BuildRepresentation build = builds.get(delivery.buildId().orElseThrow());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("build_id", build.buildId());
        body.put("status", build.status());
        return new Outcome(true, body);
    }

    /** A delivery seen before ({@code duplicate}) or just now, and the build it queued, if any. */
    private record Delivery(boolean duplicate, Optional<String> buildId) {
    }

    private static Optional<String> seenBuild(Connection connection, String provider, String deliveryId)
            throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "select build_id from webhook_deliveries where provider = ? and delivery_id = ?")) {
            query.setString(1, provider);
            query.setString(2, deliveryId);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.ofNullable(row.getString(1)) : Optional.empty();
            }
        }
    }
}
