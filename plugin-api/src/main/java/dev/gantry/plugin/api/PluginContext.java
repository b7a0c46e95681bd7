package dev.gantry.plugin.api;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;

/**
 * What the server gives a plugin. An extension declares one public constructor whose parameters are this context or
 * any of the services it offers (e.g. {@code Clock}, {@code PluginConfig}); the host builds the extension once.
 */
public interface PluginContext {
    /** The plugin's id, as in its {@code plugin.properties}. */
    String pluginId();

    /** The one clock to read time from, so tests can control it. */
    Clock clock();

    /** A shared HTTP client; plugins do not create their own. */
    HttpClient httpClient();

    /** Secrets, decrypted on demand; never log what they return. */
    Secrets secrets();

    /** A directory the plugin may write to; rebuilt caches only, nothing that must survive a replica. */
    Workspace workspace();

    /**
     * The plugin's own directory under the server's data directory ({@code <data dir>/plugin-data/<id>}), created on
     * first use and kept across restarts. Only for plugins that are single-machine by design, such as the
     * filesystem artifact store: state that replicas must share belongs in {@link #database()} or a shared store.
     */
    Path dataDirectory();

    /** Metrics exported on the server's {@code /metrics}, prefixed with the plugin id. */
    PluginMetrics metrics();

    /** The plugin's own settings ({@code plugin.<id>.<key>} in the server's configuration). */
    PluginConfig config();

    /** A database confined to the plugin's own schema, migrated from the Flyway scripts the plugin ships. */
    PluginDatabase database();
}
