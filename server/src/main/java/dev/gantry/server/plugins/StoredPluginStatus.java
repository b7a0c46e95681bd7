package dev.gantry.server.plugins;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.pf4j.PluginStatusProvider;

/**
 * Which plugins are disabled, as PF4J asks it. The truth is the {@code plugins} table; {@link PluginService}
 * writes it there and mirrors it here (PF4J's own enabled.txt would be local to one replica).
 */
final class StoredPluginStatus implements PluginStatusProvider {
    private final Set<String> disabled = ConcurrentHashMap.newKeySet();

    @Override
    public boolean isPluginDisabled(String pluginId) {
        return disabled.contains(pluginId);
    }

    @Override
    public void disablePlugin(String pluginId) {
        disabled.add(pluginId);
    }

    @Override
    public void enablePlugin(String pluginId) {
        disabled.remove(pluginId);
    }
}
