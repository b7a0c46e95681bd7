package dev.gantry.server.auth;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "login_failures")
class LoginFailureEntity {
    @Id
    String id;

    /** The user name tried (lowercased), or null for a sign-in with a token. */
    @Column(name = "name")
    String name;

    @Column(name = "address", nullable = false)
    String address;

    @Column(name = "failed_at", nullable = false)
    Instant failedAt;

    LoginFailureEntity() {
    }

    LoginFailureEntity(String id, String name, String address, Instant failedAt) {
        this.id = id;
        this.name = name;
        this.address = address;
        this.failedAt = failedAt;
    }
}
