package dev.gantry.server.auth;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "users")
class UserEntity {
    @Id
    String id;

    @Column(nullable = false, unique = true)
    String name;

    @Column(nullable = false)
    @jakarta.persistence.Convert(converter = RoleConverter.class)
    Role role;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    @Column(name = "disabled_at")
    Instant disabledAt;

    /** Argon2id as a PHC string (see {@link Passwords}); null while the user signs in with tokens only. */
    @Column(name = "password_hash")
    String passwordHash;

    @Column(name = "password_changed_at")
    Instant passwordChangedAt;

    UserEntity() {
    }

    UserEntity(String id, String name, Role role, Instant createdAt) {
        this.id = id;
        this.name = name;
        this.role = role;
        this.createdAt = createdAt;
    }
}
