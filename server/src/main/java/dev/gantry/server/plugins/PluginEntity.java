package dev.gantry.server.plugins;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "plugins")
class PluginEntity {
    @Id
    String id;

    @Column(nullable = false)
    String version;

    @Column(nullable = false)
    String requires;

    @Column(nullable = false)
    String sha256;

    @Column(name = "size_bytes", nullable = false)
    long sizeBytes;

    @Column(nullable = false)
    boolean enabled;

    @Column(nullable = false)
    String source;

    @Column(name = "installed_at", nullable = false)
    Instant installedAt;

    @Column(name = "installed_by", nullable = false)
    String installedBy;
}
