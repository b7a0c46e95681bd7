package dev.gantry.server.artifact;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;

@Entity
@Table(name = "artifact_pins")
class ArtifactPinEntity {
    @EmbeddedId
    Key key;

    String reason;

    @Column(name = "pinned_at", nullable = false)
    Instant pinnedAt;

    @Column(name = "pinned_by", nullable = false)
    String pinnedBy;

    @Embeddable
    record Key(String digest, String owner) implements Serializable {
    }
}
