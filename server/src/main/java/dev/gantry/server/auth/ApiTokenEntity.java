package dev.gantry.server.auth;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "api_tokens")
class ApiTokenEntity {
    @Id
    String id;

    @Column(name = "user_id", nullable = false)
    String userId;

    @Column(nullable = false)
    String name;

    @Column(name = "token_hash", nullable = false, unique = true)
    String tokenHash;

    @Column(name = "token_prefix", nullable = false)
    String tokenPrefix;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    @Column(name = "expires_at")
    Instant expiresAt;

    @Column(name = "last_used_at")
    Instant lastUsedAt;

    @Column(name = "revoked_at")
    Instant revokedAt;

    ApiTokenEntity() {
    }

    ApiTokenEntity(String id, String userId, String name, String tokenHash, String tokenPrefix, Instant createdAt,
                   Instant expiresAt) {
        this.id = id;
        this.userId = userId;
        this.name = name;
        this.tokenHash = tokenHash;
        this.tokenPrefix = tokenPrefix;
        this.createdAt = createdAt;
        this.expiresAt = expiresAt;
    }
}
