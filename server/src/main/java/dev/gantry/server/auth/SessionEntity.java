package dev.gantry.server.auth;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "sessions")
class SessionEntity {
    @Id
    String id;

    /** SHA-256 of the cookie's secret; the secret itself is never stored. */
    @Column(name = "token_hash", nullable = false, unique = true)
    String tokenHash;

    @Column(name = "user_id", nullable = false)
    String userId;

    @Column(name = "csrf_token", nullable = false)
    String csrfToken;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    @Column(name = "last_seen_at", nullable = false)
    Instant lastSeenAt;

    @Column(name = "expires_at", nullable = false)
    Instant expiresAt;

    SessionEntity() {
    }

    SessionEntity(String id, String tokenHash, String userId, String csrfToken, Instant createdAt, Instant expiresAt) {
        this.id = id;
        this.tokenHash = tokenHash;
        this.userId = userId;
        this.csrfToken = csrfToken;
        this.createdAt = createdAt;
        this.lastSeenAt = createdAt;
        this.expiresAt = expiresAt;
    }
}
