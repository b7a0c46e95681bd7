package dev.gantry.server.flags;

import dev.gantry.plugin.api.flags.FlagProvider;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.plugins.Extension;
import dev.gantry.server.plugins.PluginHost;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The flag store that {@code flags.store} selects among the started plugins' flag providers. */
public class FlagProviders {
    private final PluginHost plugins;
    private final FlagsConfig config;

    @Inject
    public FlagProviders(PluginHost plugins, FlagsConfig config) {
        this.plugins = plugins;
        this.config = config;
    }

    public Optional<FlagProvider> find() {
        return plugins.extensions(FlagProvider.class).stream()
                .filter(provider -> provider.pluginId().equals(config.store()))
                .map(Extension::instance)
                .findFirst();
    }

    /** The selected store; 503 naming the setting and the installed providers when no started plugin has it. */
    public FlagProvider active() {
        return find().orElseThrow(() -> {
            List<String> installed = plugins.extensions(FlagProvider.class).stream().map(Extension::pluginId).toList();
            return new ApiException(503, "flag_store_missing", "no enabled plugin '" + config.store()
                    + "' provides the flag store (setting flags.store); plugins with a flag store: "
                    + (installed.isEmpty() ? "none" : String.join(", ", installed)), Map.of("flag_store", config.store()));
        });
    }
}
