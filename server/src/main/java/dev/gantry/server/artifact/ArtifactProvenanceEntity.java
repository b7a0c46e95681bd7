package dev.gantry.server.artifact;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "artifact_provenance")
class ArtifactProvenanceEntity {
    @Id
    String id;

    @Column(nullable = false)
    String digest;

    @Column(name = "build_id")
    String buildId;

    @Column(name = "commit_sha")
    String commitSha;

    String service;

    @Column(name = "recorded_at", nullable = false)
    Instant recordedAt;
}
