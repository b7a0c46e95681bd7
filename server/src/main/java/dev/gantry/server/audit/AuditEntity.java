package dev.gantry.server.audit;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.ColumnTransformer;

@Entity
@Table(name = "audit_log")
class AuditEntity {
    @Id
    String id;

    @Column(name = "occurred_at", nullable = false)
    Instant occurredAt;

    @Column(nullable = false)
    String actor;

    @Column(nullable = false)
    String action;

    @Column(nullable = false)
    String target;

    @Column(name = "before_state")
    @ColumnTransformer(write = "?::jsonb")
    String beforeState;

    @Column(name = "after_state")
    @ColumnTransformer(write = "?::jsonb")
    String afterState;

    AuditEntity() {
    }

    AuditEntity(String id, Instant occurredAt, String actor, String action, String target, String beforeState,
                String afterState) {
        this.id = id;
        this.occurredAt = occurredAt;
        this.actor = actor;
        this.action = action;
        this.target = target;
        this.beforeState = beforeState;
        this.afterState = afterState;
    }
}
