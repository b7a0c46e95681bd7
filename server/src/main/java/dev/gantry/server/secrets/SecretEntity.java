package dev.gantry.server.secrets;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "secrets")
class SecretEntity {
    @Id
    String id;

    @Column(nullable = false)
    String scope;

    @Column(nullable = false)
    String name;

    @Column(nullable = false)
    byte[] nonce;

    @Column(nullable = false)
    byte[] ciphertext;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    Instant updatedAt;

    @Column(name = "updated_by", nullable = false)
    String updatedBy;
}
