package dev.gantry.plugin.api;

import javax.sql.DataSource;

/**
 * A PostgreSQL database confined to the plugin's own schema. Before the plugin starts, the host applies the Flyway
 * migrations the plugin ships under {@code db/migration/<plugin id>/} (e.g. {@code V1__flags.sql}) to that schema.
 */
public interface PluginDatabase {
    /** The plugin's schema, e.g. {@code plugin_flags_postgres}; it is the connections' search path. */
    String schema();

    /** Connections that see only the plugin's schema. */
    DataSource dataSource();
}
