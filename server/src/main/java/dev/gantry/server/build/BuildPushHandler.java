package dev.gantry.server.build;

import dev.gantry.plugin.api.scm.PushEvent;
import dev.gantry.server.auth.Caller;
import dev.gantry.server.auth.Role;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.scm.PushHandler;
import dev.gantry.server.scm.Repository;
import jakarta.inject.Inject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
        Optional<String> seen = database.inSqlTransaction(connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "select coalesce(build_id, '') from webhook_deliveries where provider = ? and delivery_id = ?")) {
                query.setString(1, provider);
                query.setString(2, push.deliveryId());
                try (ResultSet row = query.executeQuery()) {
                    return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
                }
            }
        });
        if (seen.isPresent()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("duplicate", true);
            body.put("build_id", seen.get().isEmpty() ? null : seen.get());
            return new Outcome(false, body);
        }
        Caller webhook = new Caller("webhook", "webhook (" + provider + ")", Role.DEVELOPER, "none");
        BuildService.Enqueued enqueued = builds.enqueue(webhook, repository.id(), push.commitSha(), push.branch(), "webhook", Optional.empty());
        database.inSqlTransaction(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("""
                    insert into webhook_deliveries (provider, delivery_id, repo_id, received_at, build_id)
                    values (?, ?, ?, now(), ?) on conflict do nothing""")) {
                insert.setString(1, provider);
                insert.setString(2, push.deliveryId());
                insert.setString(3, repository.id());
                insert.setString(4, enqueued.build().buildId());
                return insert.executeUpdate();
            }
        });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("build_id", enqueued.build().buildId());
        body.put("status", enqueued.build().status());
        return new Outcome(true, body);
    }
}
