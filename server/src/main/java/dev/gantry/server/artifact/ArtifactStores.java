package dev.gantry.server.artifact;

import dev.gantry.plugin.api.artifact.ArtifactStore;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.plugins.Extension;
import dev.gantry.server.plugins.PluginHost;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;

/** The artifact store the server's {@code artifact.store} setting selects among the started plugins' stores. */
public class ArtifactStores {
    private final PluginHost plugins;
    private final ArtifactConfig config;

    @Inject
    public ArtifactStores(PluginHost plugins, ArtifactConfig config) {
        this.plugins = plugins;
        this.config = config;
    }

    /** The selected store; 503 naming the setting and the installed kinds when no started plugin provides it. */
    public ArtifactStore active() {
        List<Extension<ArtifactStore>> stores = plugins.extensions(ArtifactStore.class);
        for (Extension<ArtifactStore> store : stores) {
            if (store.instance().kind().equals(config.store())) {
                return store.instance();
            }
        }
        List<String> kinds = stores.stream().map(store -> store.instance().kind() + " (plugin " + store.pluginId() + ")").toList();
        throw new ApiException(503, "artifact_store_missing", "no enabled plugin provides the artifact store '"
                + config.store() + "' (setting artifact.store); enabled stores: "
                + (kinds.isEmpty() ? "none" : String.join(", ", kinds)), Map.of("artifact_store", config.store()));
    }
}
