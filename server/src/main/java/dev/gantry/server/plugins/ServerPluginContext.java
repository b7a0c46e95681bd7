package dev.gantry.server.plugins;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.PluginContext;
import dev.gantry.plugin.api.PluginDatabase;
import dev.gantry.plugin.api.PluginMetrics;
import dev.gantry.plugin.api.Secrets;
import dev.gantry.plugin.api.Workspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Supplier;

/** One plugin's view of the server. Its database is opened on first use. */
final class ServerPluginContext implements PluginContext {
    private final String pluginId;
    private final Clock clock;
    private final HttpClient httpClient;
    private final Secrets secrets;
    private final Path workspaceRoot;
    private final Path dataDirectory;
    private final PluginMetrics metrics;
    private final PluginConfig config;
    private final Supplier<PluginDatabase> database;

    ServerPluginContext(String pluginId, Clock clock, HttpClient httpClient, Secrets secrets, Path workspaceRoot,
                        Path dataDirectory, PluginMetrics metrics, PluginConfig config, Supplier<PluginDatabase> database) {
        this.pluginId = pluginId;
        this.clock = clock;
        this.httpClient = httpClient;
        this.secrets = secrets;
        this.workspaceRoot = workspaceRoot;
        this.dataDirectory = dataDirectory;
        this.metrics = metrics;
        this.config = config;
        this.database = database;
    }

    @Override
    public String pluginId() {
        return pluginId;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public HttpClient httpClient() {
        return httpClient;
    }

    @Override
    public Secrets secrets() {
        return secrets;
    }

    @Override
    public Workspace workspace() {
        return new Workspace() {
            @Override
            public Path root() {
                try {
                    return Files.createDirectories(workspaceRoot);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public Path newTempDirectory(String prefix) throws IOException {
                return Files.createTempDirectory(root(), prefix);
            }
        };
    }

    @Override
    public Path dataDirectory() {
        try {
            return Files.createDirectories(dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the plugin's data directory " + dataDirectory, e);
        }
    }

    @Override
    public PluginMetrics metrics() {
        return metrics;
    }

    @Override
    public PluginConfig config() {
        return config;
    }

    @Override
    public PluginDatabase database() {
        return database.get();
    }
}
