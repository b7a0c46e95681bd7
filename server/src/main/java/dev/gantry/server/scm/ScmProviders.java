package dev.gantry.server.scm;

import dev.gantry.plugin.api.scm.ScmProvider;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.plugins.Extension;
import dev.gantry.server.plugins.PluginHost;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The started plugins' SCM providers, by the name in {@code /api/webhooks/{provider}}. */
public class ScmProviders {
    private final PluginHost plugins;

    @Inject
    public ScmProviders(PluginHost plugins) {
        this.plugins = plugins;
    }

    public Optional<ScmProvider> find(String provider) {
        return plugins.extensions(ScmProvider.class).stream()
                .map(Extension::instance)
                .filter(scm -> scm.provider().equals(provider))
                .findFirst();
    }

    /** The provider, or 404 naming the ones that are installed. */
    public ScmProvider require(String provider) {
        return find(provider).orElseThrow(() -> new ApiException(404, "unknown_provider", "no enabled plugin handles '"
                + provider + "' repositories; installed: " + String.join(", ", names()), Map.of("provider", provider)));
    }

    public List<String> names() {
        return plugins.extensions(ScmProvider.class).stream().map(scm -> scm.instance().provider()).sorted().toList();
    }
}
