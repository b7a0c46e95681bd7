package dev.gantry.server.plugins;

import dev.gantry.server.audit.AuditService;
import dev.gantry.server.auth.Caller;
import dev.gantry.server.config.ServerConfig;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.persistence.Ids;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.hibernate.Session;
import org.pf4j.PluginWrapper;
import org.pf4j.util.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installed plugins: their zips and enabled state live in PostgreSQL, so every replica loads the same set; this
 * service keeps the local {@link PluginHost} in step with that table. All changes are audited and serialized.
 */
public class PluginService {
    private static final Logger log = LoggerFactory.getLogger(PluginService.class);
    static final long MAX_ZIP_BYTES = 256L * 1024 * 1024;

    private final Database database;
    private final PluginHost host;
    private final AuditService audit;
    private final ServerConfig config;
    private final Clock clock;
    /** Why a stored plugin is not running here (incompatible API, a failure at load), by plugin id. */
    private final Map<String, String> problems = new ConcurrentHashMap<>();
    /** The digest of the zip each loaded plugin was loaded from, to notice a replaced plugin. */
    private final Map<String, String> loadedDigests = new ConcurrentHashMap<>();
    /** Names this replica in change announcements, so it does not react to its own. */
    private final String replicaId = Ids.newId();

    @Inject
    public PluginService(Database database, PluginHost host, AuditService audit, ServerConfig config, Clock clock) {
        this.database = database;
        this.host = host;
        this.audit = audit;
        this.config = config;
        this.clock = clock;
    }

    /**
     * At start-up: installs bundled plugins the database does not have yet (or has in an older bundled version),
     * then loads every stored plugin and starts the enabled ones. A bundled or stored plugin that cannot be wired
     * stops start-up with the reason; one built for another plugin API is left unloaded and reported.
     */
    public synchronized void start() {
        installBundled();
        clearWorkDir();
        List<PluginEntity> stored = database.inTransaction(session ->
                session.createQuery("from PluginEntity order by id", PluginEntity.class).getResultList());
        for (PluginEntity plugin : stored) {
            if (!host.isCompatible(plugin.requires)) {
                String message = PluginHost.incompatibleMessage(plugin.id, plugin.version, plugin.requires);
                problems.put(plugin.id, message);
                log.error("Not loading plugin {}: {}", plugin.id, message);
                continue;
            }
            Path zip = writeZip(plugin.id, zipBytes(plugin.id));
            host.load(zip, plugin.enabled);
            loadedDigests.put(plugin.id, plugin.sha256);
            if (plugin.enabled) {
                host.start(plugin.id);
            }
        }
    }

    /** The channel on which replicas announce plugin changes to each other. */
    static final String CHANNEL = "gantry_plugins";

    /** Tells the other replicas, when the transaction commits, that plugin {@code id} changed. */
    private void announce(Session session, String id) {
        session.createNativeQuery("select pg_notify('" + CHANNEL + "', :payload)", Object.class)
                .setParameter("payload", replicaId + " " + id)
                .getSingleResult();
    }

    /** Acts on another replica's announcement; this replica's own are ignored. */
    void onAnnouncement(String payload) {
        int space = payload.indexOf(' ');
        if (space > 0 && !payload.substring(0, space).equals(replicaId)) {
            reconcile(payload.substring(space + 1));
        }
    }

    /** Brings every plugin in line with the database (after a lost connection may have hidden announcements). */
    synchronized void reconcileAll() {
        java.util.Set<String> ids = new java.util.TreeSet<>(loadedDigests.keySet());
        ids.addAll(database.inTransaction(session ->
                session.createQuery("select p.id from PluginEntity p", String.class).getResultList()));
        ids.forEach(this::reconcile);
    }

    /** Loads, starts, disables, replaces or unloads plugin {@code id} here so that it matches the database. */
    synchronized void reconcile(String id) {
        PluginEntity stored = database.inTransaction(session -> session.find(PluginEntity.class, id));
        if (stored == null || !host.isCompatible(stored.requires) || !stored.sha256.equals(loadedDigests.get(id))) {
            if (host.plugin(id).isPresent()) {
                host.unload(id);
                loadedDigests.remove(id);
            }
            problems.remove(id);
        }
        if (stored == null) {
            return;
        }
        if (!host.isCompatible(stored.requires)) {
            problems.put(id, PluginHost.incompatibleMessage(id, stored.version, stored.requires));
            return;
        }
        try {
            if (host.plugin(id).isEmpty()) {
                host.load(writeZip(id, zipBytes(id)), stored.enabled);
                loadedDigests.put(id, stored.sha256);
            }
            boolean started = host.plugin(id).map(w -> w.getPluginState() == org.pf4j.PluginState.STARTED).orElse(false);
            if (stored.enabled && !started) {
                host.start(id);
            } else if (!stored.enabled && started) {
                host.disable(id);
            }
            log.info("Plugin {} brought in line with the database: {}", id, stored.enabled ? "enabled" : "disabled");
        } catch (PluginLoadException e) {
            problems.put(id, e.getMessage());
            log.error("Plugin {} cannot be loaded here: {}", id, e.getMessage());
        }
    }

    private void installBundled() {
        Path dir = config.bundledPluginsDir();
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> zips = Files.newDirectoryStream(dir, "*.zip")) {
            for (Path zip : zips) {
                PluginArchive archive = PluginArchive.read(zip);
                database.runInTransaction(session -> {
                    // replicas starting together on a new database take turns, so each plugin is installed once
                    session.createNativeQuery("select pg_advisory_xact_lock(hashtext('gantry_bundled_plugins'))", Object.class)
                            .getSingleResult();
                    PluginEntity existing = session.find(PluginEntity.class, archive.id());
                    boolean removedByAdmin = !session.createNativeQuery(
                                    "select plugin_id from removed_bundled_plugins where plugin_id = :id", String.class)
                            .setParameter("id", archive.id()).getResultList().isEmpty();
                    if (existing == null && removedByAdmin) {
                        log.info("Not installing bundled plugin {}: an admin uninstalled it", archive.id());
                    } else if (existing == null) {
                        PluginEntity created = entity(archive, "bundled", Caller.SYSTEM);
                        session.persist(created);
                        session.persist(new PluginArchiveEntity(archive.id(), readBytes(zip)));
                        audit.record(session, Caller.SYSTEM, "plugin.install", "plugin:" + archive.id(), null, summary(created));
                        log.info("Installed bundled plugin {} {}", archive.id(), archive.version());
                    } else if (existing.source.equals("bundled") && !existing.sha256.equals(archive.sha256())) {
                        Map<String, Object> before = summary(existing);
                        existing.version = archive.version();
                        existing.requires = archive.requires();
                        existing.sha256 = archive.sha256();
                        existing.sizeBytes = archive.sizeBytes();
                        session.find(PluginArchiveEntity.class, archive.id()).zip = readBytes(zip);
                        existing.installedAt = clock.instant();
                        audit.record(session, Caller.SYSTEM, "plugin.upgrade", "plugin:" + archive.id(), before, summary(existing));
                        log.info("Upgraded bundled plugin {} to {}", archive.id(), archive.version());
                    }
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled plugins in " + dir, e);
        }
    }

    public synchronized List<PluginRepresentation> list() {
        return database.inTransaction(session -> session
                        .createQuery("select p from PluginEntity p order by p.id", PluginEntity.class).getResultList())
                .stream().map(this::represent).toList();
    }

    public synchronized PluginRepresentation get(String id) {
        return represent(requireStored(id));
    }

    /**
     * Installs an uploaded plugin zip: checked, loaded, started and its extensions built before anything is
     * stored, so a plugin that cannot work is refused and leaves nothing behind.
     */
    public synchronized PluginRepresentation install(Caller caller, InputStream upload) {
        Path temporary = receive(upload);
        try {
            PluginArchive archive = PluginArchive.read(temporary);
            if (!host.isCompatible(archive.requires())) {
                throw new ApiException(422, "incompatible_plugin",
                        PluginHost.incompatibleMessage(archive.id(), archive.version(), archive.requires()),
                        Map.of("plugin", archive.id(), "requires", archive.requires(), "plugin_api", host.systemVersion()));
            }
            PluginEntity existing = database.inTransaction(session -> session.find(PluginEntity.class, archive.id()));
            if (existing != null) {
                throw new ApiException(409, "plugin_exists", "plugin '" + archive.id() + "' " + existing.version
                        + " is already installed; uninstall it first", Map.of("plugin", archive.id()));
            }
            Path zip = host.workDir().resolve(archive.id() + ".zip");
            Files.move(temporary, zip, StandardCopyOption.REPLACE_EXISTING);
            try {
                String loadedId = host.load(zip, true);
                if (!loadedId.equals(archive.id())) {
                    throw new PluginLoadException("the zip's plugin id '" + loadedId + "' differs from plugin.properties");
                }
                host.start(archive.id());
                database.runInTransaction(session -> {
                    PluginEntity entity = entity(archive, "uploaded", caller);
                    session.persist(entity);
                    session.persist(new PluginArchiveEntity(archive.id(), readBytes(zip)));
                    session.createNativeMutationQuery("delete from removed_bundled_plugins where plugin_id = :id")
                            .setParameter("id", archive.id()).executeUpdate();
                    audit.record(session, caller, "plugin.install", "plugin:" + archive.id(), null, summary(entity));
                    announce(session, archive.id());
                });
                loadedDigests.put(archive.id(), archive.sha256());
            } catch (PluginLoadException e) {
                host.unload(archive.id());
                deleteQuietly(zip);
                throw new ApiException(422, "plugin_failed_to_start", e.getMessage(), Map.of("plugin", archive.id()));
            } catch (RuntimeException e) {
                host.unload(archive.id());
                deleteQuietly(zip);
                throw e;
            }
            problems.remove(archive.id());
            return get(archive.id());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(temporary);
        }
    }

    public synchronized PluginRepresentation enable(Caller caller, String id) {
        PluginEntity stored = requireStored(id);
        if (!stored.enabled) {
            if (host.plugin(id).isEmpty()) {
                throw new ApiException(409, "plugin_not_loaded", "plugin '" + id + "' cannot be enabled: "
                        + problems.getOrDefault(id, "it is not loaded"), Map.of("plugin", id));
            }
            try {
                host.start(id);
            } catch (PluginLoadException e) {
                host.disable(id);
                throw new ApiException(422, "plugin_failed_to_start", e.getMessage(), Map.of("plugin", id));
            }
            setEnabled(caller, id, true);
        }
        return get(id);
    }

    public synchronized PluginRepresentation disable(Caller caller, String id) {
        PluginEntity stored = requireStored(id);
        if (stored.enabled) {
            setEnabled(caller, id, false);
            if (host.plugin(id).isPresent()) {
                host.disable(id);
            }
        }
        return get(id);
    }

    /**
     * Removes the plugin from every replica's set; data in its schema is kept (see docs/plugins.md). A bundled
     * plugin stays uninstalled across restarts until an admin uploads it again.
     */
    public synchronized void uninstall(Caller caller, String id) {
        PluginEntity stored = requireStored(id);
        Map<String, Object> before = summary(stored);
        database.runInTransaction(session -> {
            if (stored.source.equals("bundled")) {
                session.createNativeMutationQuery("insert into removed_bundled_plugins (plugin_id, removed_at, removed_by) "
                                + "values (:id, :at, :by) on conflict (plugin_id) do nothing")
                        .setParameter("id", id).setParameter("at", clock.instant()).setParameter("by", caller.name())
                        .executeUpdate();
            }
            session.remove(session.find(PluginArchiveEntity.class, id));
            session.remove(session.find(PluginEntity.class, id));
            audit.record(session, caller, "plugin.uninstall", "plugin:" + id, before, null);
            announce(session, id);
        });
        host.unload(id);
        loadedDigests.remove(id);
        problems.remove(id);
        deleteQuietly(host.workDir().resolve(id + ".zip"));
    }

    private void setEnabled(Caller caller, String id, boolean enabled) {
        database.runInTransaction(session -> {
            PluginEntity entity = session.find(PluginEntity.class, id);
            Map<String, Object> before = summary(entity);
            entity.enabled = enabled;
            audit.record(session, caller, enabled ? "plugin.enable" : "plugin.disable", "plugin:" + id, before, summary(entity));
            announce(session, id);
        });
    }

    private PluginRepresentation represent(PluginEntity plugin) {
        Optional<PluginWrapper> loaded = host.plugin(plugin.id);
        String state;
        String problem = problems.get(plugin.id);
        if (problem != null && loaded.isEmpty()) {
            state = host.isCompatible(plugin.requires) ? "failed" : "incompatible";
        } else if (loaded.isEmpty()) {
            state = "unloaded";
        } else {
            state = loaded.get().getPluginState().toString().toLowerCase(java.util.Locale.ROOT);
            if (loaded.get().getFailedException() != null) {
                problem = loaded.get().getFailedException().toString();
            }
        }
        String description = loaded.map(w -> w.getDescriptor().getPluginDescription()).orElse("");
        String provider = loaded.map(w -> w.getDescriptor().getProvider()).orElse("");
        return new PluginRepresentation(plugin.id, plugin.version, description == null ? "" : description,
                provider == null ? "" : provider, plugin.requires, state, plugin.enabled, plugin.source, plugin.sha256,
                plugin.sizeBytes, plugin.installedAt, plugin.installedBy, problem, host.extensionInfo(plugin.id));
    }

    private PluginEntity requireStored(String id) {
        PluginEntity stored = database.inTransaction(session -> session.find(PluginEntity.class, id));
        if (stored == null) {
            throw ApiException.notFound("plugin '" + id + "'");
        }
        return stored;
    }

    private PluginEntity entity(PluginArchive archive, String source, Caller caller) {
        PluginEntity entity = new PluginEntity();
        entity.id = archive.id();
        entity.version = archive.version();
        entity.requires = archive.requires();
        entity.sha256 = archive.sha256();
        entity.sizeBytes = archive.sizeBytes();
        entity.enabled = true;
        entity.source = source;
        entity.installedAt = clock.instant();
        entity.installedBy = caller.name();
        return entity;
    }

    private static Map<String, Object> summary(PluginEntity plugin) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("id", plugin.id);
        summary.put("version", plugin.version);
        summary.put("sha256", plugin.sha256);
        summary.put("enabled", plugin.enabled);
        summary.put("source", plugin.source);
        return summary;
    }

    private byte[] zipBytes(String id) {
        return database.inTransaction((Session session) -> session
                .createQuery("select a.zip from PluginArchiveEntity a where a.pluginId = :id", byte[].class)
                .setParameter("id", id).getSingleResult());
    }

    private Path writeZip(String id, byte[] bytes) {
        try {
            Path zip = host.workDir().resolve(id + ".zip");
            Files.write(zip, bytes);
            return zip;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Streams the upload to a temporary file, refusing more than {@link #MAX_ZIP_BYTES}. */
    private Path receive(InputStream upload) {
        Path temporary;
        try {
            temporary = Files.createTempFile(host.workDir().getParent(), "upload-", ".zip");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            long total = 0;
            try (var out = Files.newOutputStream(temporary)) {
                byte[] buffer = new byte[65536];
                for (int read; (read = upload.read(buffer)) > 0; ) {
                    total += read;
                    if (total > MAX_ZIP_BYTES) {
                        deleteQuietly(temporary);
                        throw new ApiException(413, "too_large", "a plugin zip is at most " + MAX_ZIP_BYTES / (1024 * 1024) + " MiB");
                    }
                    out.write(buffer, 0, read);
                }
            }
            if (total == 0) {
                deleteQuietly(temporary);
                throw new ApiException(400, "empty_body", "send the plugin zip as the request body (Content-Type: application/zip)");
            }
            return temporary;
        } catch (IOException e) {
            deleteQuietly(temporary);
            throw new ApiException(400, "upload_failed", "the upload did not arrive whole: " + e.getMessage());
        }
    }

    private void clearWorkDir() {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(host.workDir())) {
            for (Path entry : entries) {
                FileUtils.delete(entry);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + host.workDir(), e);
        }
    }

    private static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("Cannot delete {}: {}", file, e.getMessage());
        }
    }
}
