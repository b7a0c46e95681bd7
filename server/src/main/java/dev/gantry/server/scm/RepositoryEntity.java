package dev.gantry.server.scm;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

@Entity
@Table(name = "repos")
class RepositoryEntity {
    @Id
    String id;

    @Column(nullable = false)
    String name;

    @Column(nullable = false)
    String url;

    @Column(name = "url_key", nullable = false)
    String urlKey;

    @Column(nullable = false)
    String provider;

    @Column(name = "default_branch", nullable = false)
    String defaultBranch;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(nullable = false)
    String[] branches;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    String credentials;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    @Column(name = "created_by", nullable = false)
    String createdBy;
}
