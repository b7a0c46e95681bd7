package dev.gantry.server.plugins;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A plugin's zip, kept apart from its row in {@code plugins} so that listings do not read it. */
@Entity
@Table(name = "plugin_archives")
class PluginArchiveEntity {
    @Id
    @Column(name = "plugin_id")
    String pluginId;

    @Column(nullable = false)
    byte[] zip;

    PluginArchiveEntity() {
    }

    PluginArchiveEntity(String pluginId, byte[] zip) {
        this.pluginId = pluginId;
        this.zip = zip;
    }
}
