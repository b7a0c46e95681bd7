package dev.gantry.server.auth;

import dev.gantry.server.audit.AuditService;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.persistence.Ids;
import jakarta.inject.Inject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Agent tokens: what build agents on other machines authenticate with. Like API tokens they are shown once and
 * stored as their SHA-256; unlike them they belong to no user and open only the agents' protocol.
 */
public class AgentTokens {
    private static final Duration LAST_USED_GRANULARITY = Duration.ofMinutes(1);

    private final Database database;
    private final AuditService audit;
    private final Clock clock;

    @Inject
    public AgentTokens(Database database, AuditService audit, Clock clock) {
        this.database = database;
        this.audit = audit;
        this.clock = clock;
    }

    /** An agent token as listed: never the token itself, only the prefix that tells it apart. */
    public record AgentTokenRepresentation(String id, String name, String prefix, Instant createdAt, String createdBy,
                                           Instant lastUsedAt) {
    }

    /** A new token; the returned value is the only time the token itself is seen. */
    public record Created(AgentTokenRepresentation token, String secret) {
    }

    public Created create(Caller caller, String name) {
        if (name == null) {
            throw ApiException.missingField("name");
        }
        if (name.isBlank() || name.length() > 100) {
            throw new ApiException(400, "invalid_name", "an agent token's name is 1 to 100 characters",
                    java.util.Map.of("field", "name"));
        }
        String secret = Tokens.newAgentToken();
        AgentTokenRepresentation token = new AgentTokenRepresentation(Ids.newId(), name, Tokens.displayPrefix(secret),
                clock.instant(), caller.name(), null);
        database.inSqlTransaction(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("""
                    insert into agent_tokens (id, name, token_hash, token_prefix, created_at, created_by)
                    values (?, ?, ?, ?, ?, ?)""")) {
                insert.setString(1, token.id());
                insert.setString(2, name);
                insert.setString(3, Tokens.hash(secret));
                insert.setString(4, token.prefix());
                insert.setTimestamp(5, Timestamp.from(token.createdAt()));
                insert.setString(6, caller.name());
                insert.executeUpdate();
            }
            audit.record(connection, caller, "agent_token.create", "agent_token:" + token.id(), null, token);
            return null;
        });
        return new Created(token, secret);
    }

    public List<AgentTokenRepresentation> list() {
        return database.inSqlTransaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "select id, name, token_prefix, created_at, created_by, last_used_at from agent_tokens order by created_at");
                 ResultSet rows = select.executeQuery()) {
                List<AgentTokenRepresentation> tokens = new ArrayList<>();
                while (rows.next()) {
                    tokens.add(representation(rows));
                }
                return tokens;
            }
        });
    }

    /** Deletes a token: its agents' next request gets 401, and what they were running goes back to the queue. */
    public void delete(Caller caller, String id) {
        database.inSqlTransaction(connection -> {
            try (PreparedStatement delete = connection.prepareStatement("""
                    delete from agent_tokens where id = ?
                    returning id, name, token_prefix, created_at, created_by, last_used_at""")) {
                delete.setString(1, id);
                try (ResultSet row = delete.executeQuery()) {
                    if (!row.next()) {
                        throw ApiException.notFound("agent token '" + id + "'");
                    }
                    audit.record(connection, caller, "agent_token.delete", "agent_token:" + id, representation(row), null);
                }
            }
            return null;
        });
    }

    public Optional<AgentPrincipal> authenticate(String token) {
        if (!token.startsWith(Tokens.AGENT_PREFIX)) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        return database.inSqlTransaction(connection -> {
            try (PreparedStatement touch = connection.prepareStatement("""
                    update agent_tokens set last_used_at = ?
                    where token_hash = ? and (last_used_at is null or last_used_at < ?)""")) {
                // written at most once a minute: an agent's every call must not be a write
                touch.setTimestamp(1, Timestamp.from(now));
                touch.setString(2, Tokens.hash(token));
                touch.setTimestamp(3, Timestamp.from(now.minus(LAST_USED_GRANULARITY)));
                touch.executeUpdate();
            }
            try (PreparedStatement select = connection.prepareStatement("select id, name from agent_tokens where token_hash = ?")) {
                select.setString(1, Tokens.hash(token));
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? Optional.of(new AgentPrincipal(row.getString(1), row.getString(2))) : Optional.empty();
                }
            }
        });
    }

    private static AgentTokenRepresentation representation(ResultSet row) throws SQLException {
        Timestamp lastUsed = row.getTimestamp(6);
        return new AgentTokenRepresentation(row.getString(1), row.getString(2), row.getString(3),
                row.getTimestamp(4).toInstant(), row.getString(5), lastUsed == null ? null : lastUsed.toInstant());
    }
}
