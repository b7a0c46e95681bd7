package dev.gantry.server.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.auth.Caller;
import dev.gantry.server.http.Json;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.persistence.Ids;
import jakarta.inject.Inject;
import jakarta.persistence.criteria.CriteriaBuilder;
import jakarta.persistence.criteria.CriteriaQuery;
import jakarta.persistence.criteria.Predicate;
import jakarta.persistence.criteria.Root;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.Session;

/** Records administrative actions in the same transaction as the change they describe, and reads them back. */
public class AuditService {
    private final Database database;
    private final Clock clock;

    @Inject
    public AuditService(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /**
     * Records that {@code actor} did {@code action} (e.g. {@code plugin.install}) to {@code target}; {@code before}
     * and {@code after} are written as JSON (null when there was no state).
     */
    public void record(Session session, Caller actor, String action, String target, Object before, Object after) {
        session.persist(new AuditEntity(Ids.newId(), clock.instant(), actor.name(), action, target,
                before == null ? null : Json.write(before), after == null ? null : Json.write(after)));
    }

    /** The same record written through plain JDBC, inside the caller's transaction on {@code connection}. */
    public void record(java.sql.Connection connection, Caller actor, String action, String target, Object before, Object after)
            throws java.sql.SQLException {
        try (java.sql.PreparedStatement insert = connection.prepareStatement("""
                insert into audit_log (id, occurred_at, actor, action, target, before_state, after_state)
                values (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)""")) {
            insert.setString(1, Ids.newId());
            insert.setObject(2, java.time.OffsetDateTime.ofInstant(clock.instant(), java.time.ZoneOffset.UTC));
            insert.setString(3, actor.name());
            insert.setString(4, action);
            insert.setString(5, target);
            insert.setString(6, before == null ? null : Json.write(before));
            insert.setString(7, after == null ? null : Json.write(after));
            insert.executeUpdate();
        }
    }

    public List<AuditEntryRepresentation> find(AuditQuery query) {
        return database.inTransaction(session -> {
            CriteriaBuilder cb = session.getCriteriaBuilder();
            CriteriaQuery<AuditEntity> criteria = cb.createQuery(AuditEntity.class);
            Root<AuditEntity> root = criteria.from(AuditEntity.class);
            List<Predicate> where = new ArrayList<>();
            query.actor().ifPresent(actor -> where.add(cb.equal(root.get("actor"), actor)));
            query.action().ifPresent(action -> where.add(cb.like(root.get("action"), escapeLike(action) + "%", '\\')));
            query.target().ifPresent(target -> where.add(cb.equal(root.get("target"), target)));
            query.since().ifPresent(since -> where.add(cb.greaterThanOrEqualTo(root.get("occurredAt"), since)));
            query.until().ifPresent(until -> where.add(cb.lessThan(root.get("occurredAt"), until)));
            criteria.where(where.toArray(Predicate[]::new)).orderBy(cb.desc(root.get("occurredAt")), cb.desc(root.get("id")));
            return session.createQuery(criteria).setMaxResults(query.limit()).getResultList().stream()
                    .map(AuditService::toRepresentation)
                    .toList();
        });
    }

    private static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static AuditEntryRepresentation toRepresentation(AuditEntity entity) {
        return new AuditEntryRepresentation(entity.id, entity.occurredAt, entity.actor, entity.action, entity.target,
                parse(entity.beforeState), parse(entity.afterState));
    }

    private static JsonNode parse(String json) {
        if (json == null) {
            return null;
        }
        try {
            return Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit entry holds invalid JSON", e);
        }
    }
}
