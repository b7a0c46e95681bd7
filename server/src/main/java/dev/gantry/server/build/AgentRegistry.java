package dev.gantry.server.build;

import dev.gantry.server.persistence.Database;
import jakarta.inject.Inject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** The agents that asked for work, as they described themselves; {@code GET /api/agents} lists them. */
public class AgentRegistry {
    private final Database database;

    @Inject
    public AgentRegistry(Database database) {
        this.database = database;
    }

    public record AgentRepresentation(String id, String name, List<String> labels, int slots, String version,
                                      Instant firstSeenAt, Instant lastSeenAt, List<String> runningBuilds) {
    }

    void seen(String id, String name, String tokenId, Set<String> labels, int slots, String version) {
        database.inSqlTransaction(connection -> {
            try (PreparedStatement upsert = connection.prepareStatement("""
                    insert into agents (id, name, token_id, labels, slots, version, first_seen_at, last_seen_at)
                    values (?, ?, ?, ?, ?, ?, now(), now())
                    on conflict (id) do update set labels = excluded.labels, slots = excluded.slots,
                        version = excluded.version, last_seen_at = now()""")) {
                upsert.setString(1, id);
                upsert.setString(2, name);
                upsert.setString(3, tokenId);
                upsert.setArray(4, connection.createArrayOf("text", labels.toArray()));
                upsert.setInt(5, slots);
                upsert.setString(6, version);
                upsert.executeUpdate();
            }
            return null;
        });
    }

    public List<AgentRepresentation> list() {
        return database.inSqlTransaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement("""
                    select a.id, a.name, a.labels, a.slots, a.version, a.first_seen_at, a.last_seen_at,
                        coalesce(array_agg(b.id order by b.id) filter (where b.id is not null), '{}')
                    from agents a left join builds b on b.agent_id = a.id and b.status in ('building', 'testing')
                    group by a.id order by a.last_seen_at desc""");
                 ResultSet rows = select.executeQuery()) {
                List<AgentRepresentation> agents = new ArrayList<>();
                while (rows.next()) {
                    agents.add(new AgentRepresentation(rows.getString(1), rows.getString(2),
                            Arrays.asList((String[]) rows.getArray(3).getArray()), rows.getInt(4), rows.getString(5),
                            rows.getTimestamp(6).toInstant(), rows.getTimestamp(7).toInstant(),
                            Arrays.asList((String[]) rows.getArray(8).getArray())));
                }
                return agents;
            }
        });
    }
}
