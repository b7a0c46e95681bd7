package dev.gantry.server.plugins;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.PluginContext;
import dev.gantry.plugin.api.Secrets;
import dev.gantry.server.config.ServerConfig;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import dev.gantry.server.http.ServerMetrics;
import dev.gantry.server.secrets.SecretService;
import io.prometheus.metrics.core.metrics.Histogram;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugins loaded in this server: PF4J underneath, and the extensions of started plugins behind proxies.
 * It knows nothing of where plugins are stored; {@link PluginService} decides what is loaded, and calls this under
 * its lock.
 */
public final class PluginHost implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PluginHost.class);

    private final Path workDir;
    private final Path dataDir;
    private final Map<String, Map<String, String>> pluginSettings;
    private final Clock clock;
    private final HttpClient httpClient;
    private final Secrets secrets;
    private final Optional<PluginDatabases> databases;
    private final PrometheusPluginMetrics pluginMetrics;
    private final Histogram extensionCalls;
    private final ContextExtensionFactory factory;
    private final GantryPluginManager manager;
    private final Map<String, PluginContext> contexts = new ConcurrentHashMap<>();
    private volatile List<Extension<?>> extensions = List.of();

    @Inject
    public PluginHost(ServerConfig config, Clock clock, HttpClient httpClient, SecretService secretService,
                      PluginDatabases databases, ServerMetrics metrics) {
        this(config.dataDir(), config.pluginSettings(), clock, httpClient, secretService::reveal, Optional.of(databases),
                metrics.registry());
    }

    /**
     * A host with no database, as on a build agent: a plugin that keeps data in PostgreSQL cannot start there, and
     * its context's secrets are {@code secrets}.
     */
    public PluginHost(Path dataDir, Map<String, Map<String, String>> pluginSettings, Clock clock, HttpClient httpClient,
                      Secrets secrets, Optional<PluginDatabases> databases, PrometheusRegistry registry) {
        this.dataDir = dataDir;
        this.pluginSettings = pluginSettings;
        this.clock = clock;
        this.httpClient = httpClient;
        this.secrets = secrets;
        this.databases = databases;
        this.workDir = dataDir.resolve("plugins");
        this.pluginMetrics = new PrometheusPluginMetrics(registry);
        this.extensionCalls = Histogram.builder()
                .name("gantry_extension_call_duration_seconds")
                .help("Calls from the server into plugin extensions")
                .labelNames("plugin", "extension_point", "method", "outcome")
                .register(registry);
        this.factory = new ContextExtensionFactory(this::contextOfClass);
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the plugins directory " + workDir, e);
        }
        this.manager = new GantryPluginManager(workDir, factory);
    }

    /** Where plugin zips are unpacked; rebuilt from the database at every start. */
    Path workDir() {
        return workDir;
    }

    String systemVersion() {
        return manager.getSystemVersion();
    }

    boolean isCompatible(String requires) {
        return manager.isCompatible(requires);
    }

    /** Loads (but does not start) the plugin in {@code zip}; disabled plugins load into the DISABLED state. */
    String load(Path zip, boolean enabled) {
        String id;
        try {
            id = PluginArchive.read(zip).id();
        } catch (IOException e) {
            throw new PluginLoadException("cannot read plugin zip " + zip.getFileName() + ": " + e.getMessage(), e);
        }
        if (enabled) {
            manager.status().enablePlugin(id);
        } else {
            manager.status().disablePlugin(id);
        }
        try {
            return manager.loadPlugin(zip);
        } catch (RuntimeException e) {
            throw new PluginLoadException("plugin zip " + zip.getFileName() + " cannot be loaded: " + e.getMessage(), e);
        }
    }

    /**
     * Starts a loaded plugin: its schema is migrated, it is started, and each of its extensions is built once;
     * if any of that fails the plugin is stopped again and the exception says why.
     */
    void start(String id) {
        PluginWrapper plugin = require(id);
        String requires = plugin.getDescriptor().getRequires();
        if (!isCompatible(requires)) {
            throw new PluginLoadException(incompatibleMessage(id, plugin.getDescriptor().getVersion(), requires));
        }
        if (plugin.getPluginState() == PluginState.DISABLED) {
            manager.enablePlugin(id);
        }
        ClassLoader loader = plugin.getPluginClassLoader();
        if (PluginDatabases.shipsMigrations(id, loader)) {
            databases.orElseThrow(() -> new PluginLoadException("plugin '" + id + "' keeps data in PostgreSQL, which "
                    + "this process has no access to")).open(id, loader);
        }
        PluginState state = manager.startPlugin(id);
        if (state != PluginState.STARTED) {
            databases.ifPresent(all -> all.close(id));
            Throwable failure = plugin.getFailedException();
            throw new PluginLoadException("plugin '" + id + "' did not start"
                    + (failure == null ? " (state " + state + ")" : ": " + failure), failure);
        }
        try {
            for (Class<?> type : manager.getExtensionClasses(id)) {
                if (ExtensionPoints.implementedBy(type).isEmpty()) {
                    throw new PluginLoadException("extension " + type.getName() + " implements no Gantry extension point");
                }
                factory.create(type);
            }
        } catch (RuntimeException e) {
            manager.stopPlugin(id);
            factory.forget(loader);
            databases.ifPresent(all -> all.close(id));
            throw e;
        }
        refreshExtensions();
        log.info("Plugin {} {} started", id, plugin.getDescriptor().getVersion());
    }

    static String incompatibleMessage(String id, String version, String requires) {
        return "plugin '" + id + "' " + version + " needs Gantry plugin API " + requires + ", but this server provides "
                + dev.gantry.plugin.api.PluginApi.VERSION;
    }

    void disable(String id) {
        require(id);
        manager.disablePlugin(id);
        refreshExtensions();
    }

    /** Stops, unloads and deletes the plugin's unpacked files. */
    void unload(String id) {
        PluginWrapper plugin = manager.getPlugin(id);
        if (plugin == null) {
            return;
        }
        ClassLoader loader = plugin.getPluginClassLoader();
        manager.deletePlugin(id);
        factory.forget(loader);
        contexts.remove(id);
        databases.ifPresent(all -> all.close(id));
        refreshExtensions();
    }

    Optional<PluginWrapper> plugin(String id) {
        return Optional.ofNullable(manager.getPlugin(id));
    }

    /** The extension classes of a loaded plugin and the points each implements (empty if it cannot be read). */
    List<ExtensionInfo> extensionInfo(String id) {
        PluginWrapper plugin = manager.getPlugin(id);
        if (plugin == null || plugin.getPluginState() != PluginState.STARTED) {
            return List.of();
        }
        List<ExtensionInfo> info = new ArrayList<>();
        for (Class<?> type : manager.getExtensionClasses(id)) {
            info.add(new ExtensionInfo(type.getName(),
                    ExtensionPoints.implementedBy(type).stream().map(Class::getSimpleName).toList()));
        }
        info.sort(Comparator.comparing(ExtensionInfo::className));
        return info;
    }

    public record ExtensionInfo(String className, List<String> extensionPoints) {
    }

    /** The extensions of every started plugin that implement {@code point}, in plugin id order. */
    @SuppressWarnings("unchecked")
    public <T> List<Extension<T>> extensions(Class<T> point) {
        return extensions.stream()
                .filter(extension -> point.isInstance(extension.instance()))
                .map(extension -> (Extension<T>) extension)
                .toList();
    }

    private void refreshExtensions() {
        List<Extension<?>> all = new ArrayList<>();
        List<PluginWrapper> started = new ArrayList<>(manager.getStartedPlugins());
        started.sort(Comparator.comparing(PluginWrapper::getPluginId));
        for (PluginWrapper plugin : started) {
            for (Class<?> type : manager.getExtensionClasses(plugin.getPluginId())) {
                Object instance = factory.create(type);
                for (Class<?> point : ExtensionPoints.implementedBy(type)) {
                    all.add(new Extension<>(plugin.getPluginId(), type.getName(),
                            ExtensionInvoker.wrap(plugin.getPluginId(), point, instance, extensionCalls)));
                }
            }
        }
        extensions = List.copyOf(all);
    }

    private PluginWrapper require(String id) {
        PluginWrapper plugin = manager.getPlugin(id);
        if (plugin == null) {
            throw new PluginLoadException("plugin '" + id + "' is not loaded");
        }
        return plugin;
    }

    private PluginContext contextOfClass(Class<?> type) {
        PluginWrapper plugin = manager.whichPlugin(type);
        if (plugin == null) {
            throw new PluginLoadException("extension " + type.getName() + " belongs to no loaded plugin");
        }
        String id = plugin.getPluginId();
        return contexts.computeIfAbsent(id, pluginId -> new ServerPluginContext(pluginId, clock, httpClient,
                secrets, dataDir.resolve("plugin-workspace").resolve(pluginId),
                dataDir.resolve("plugin-data").resolve(pluginId),
                pluginMetrics.forPlugin(pluginId),
                new PluginConfig(pluginSettings.getOrDefault(pluginId, Map.of())),
                () -> databases.orElseThrow(() -> new PluginLoadException("plugin '" + pluginId + "' asked for its "
                        + "database, which this process has no access to")).open(pluginId, plugin.getPluginClassLoader())));
    }

    /**
     * Loads and starts plugin {@code id} from its zip in {@code dir} (on a build agent, which keeps no plugin state);
     * fails naming the plugins the directory has when it is not there.
     */
    public void loadAndStart(Path dir, String id) {
        List<String> found = new ArrayList<>();
        try (Stream<Path> zips = Files.list(dir)) {
            for (Path zip : zips.filter(path -> path.getFileName().toString().endsWith(".zip")).sorted().toList()) {
                String zipId = PluginArchive.read(zip).id();
                if (zipId.equals(id)) {
                    // unpacked in this host's own directory: PF4J expands a zip next to itself, and the
                    // installation's plugins directory may be shared by several agents, or read-only
                    Path own = workDir.resolve(id + ".zip");
                    Files.copy(zip, own, StandardCopyOption.REPLACE_EXISTING);
                    start(load(own, true));
                    return;
                }
                found.add(zipId);
            }
        } catch (IOException e) {
            throw new PluginLoadException("cannot read the plugins directory " + dir + ": " + e.getMessage(), e);
        }
        throw new PluginLoadException("no plugin '" + id + "' in " + dir + " (there are: "
                + (found.isEmpty() ? "none" : String.join(", ", found)) + ")");
    }

    @Override
    public void close() {
        manager.stopPlugins();
        databases.ifPresent(PluginDatabases::close);
    }
}
