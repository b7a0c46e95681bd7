package dev.gantry.server.artifact;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

@Entity
@Table(name = "artifacts")
class ArtifactEntity {
    static final String AVAILABLE = "available";
    static final String CORRUPT = "corrupt";
    static final String DELETING = "deleting";

    @Id
    String digest;

    @Column(name = "size_bytes", nullable = false)
    long sizeBytes;

    @Column(nullable = false)
    String state;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    @Column(name = "created_by", nullable = false)
    String createdBy;

    @Column(name = "corrupt_reason")
    String corruptReason;

    @Column(name = "corrupt_at")
    Instant corruptAt;

    @JdbcTypeCode(SqlTypes.JSON)
    String sbom;
}
