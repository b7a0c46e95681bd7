package dev.gantry.server.auth;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "sdk_tokens")
class SdkTokenEntity {
    @Id
    String id;

    @Column(nullable = false)
    String environment;

    @Column(nullable = false)
    String name;

    @Column(name = "token_hash", nullable = false, unique = true)
    String tokenHash;

    @Column(name = "token_prefix", nullable = false)
    String tokenPrefix;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    @Column(name = "created_by", nullable = false)
    String createdBy;

    @Column(name = "last_used_at")
    Instant lastUsedAt;

    SdkTokenEntity() {
    }

    SdkTokenEntity(String id, String environment, String name, String tokenHash, String tokenPrefix, Instant createdAt,
                   String createdBy) {
        this.id = id;
        this.environment = environment;
        this.name = name;
        this.tokenHash = tokenHash;
        this.tokenPrefix = tokenPrefix;
        this.createdAt = createdAt;
        this.createdBy = createdBy;
    }
}
