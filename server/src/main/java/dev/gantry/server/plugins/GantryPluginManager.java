package dev.gantry.server.plugins;

import dev.gantry.plugin.api.PluginApi;
import java.nio.file.Path;
import java.util.List;
import org.pf4j.DefaultPluginLoader;
import org.pf4j.DefaultPluginManager;
import org.pf4j.DefaultPluginRepository;
import org.pf4j.ExtensionFactory;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginDescriptorFinder;
import org.pf4j.PluginLoader;
import org.pf4j.PluginManager;
import org.pf4j.PluginRepository;
import org.pf4j.PluginStatusProvider;
import org.pf4j.PropertiesPluginDescriptorFinder;

/**
 * PF4J configured for Gantry: plugin zips (plugin.properties, classes/, lib/) from one directory, the plugin API
 * version as the system version, the API and slf4j loaded parent-first, and extensions built by
 * {@link ContextExtensionFactory}.
 */
final class GantryPluginManager extends DefaultPluginManager {
    /** Packages a plugin must share with the server, whatever its zip contains. */
    private static final List<String> PARENT_FIRST = List.of("dev.gantry.plugin.api.", "org.slf4j.");

    GantryPluginManager(Path pluginsRoot, ExtensionFactory extensionFactory) {
        super(pluginsRoot);
        // PF4J builds its parts in its constructor, before ours exist; the factory needs state, so it is set here
        this.extensionFactory = extensionFactory;
        setSystemVersion(PluginApi.VERSION);
    }

    StoredPluginStatus status() {
        return (StoredPluginStatus) pluginStatusProvider;
    }

    @Override
    protected PluginDescriptorFinder createPluginDescriptorFinder() {
        return new PropertiesPluginDescriptorFinder();
    }

    @Override
    protected PluginRepository createPluginRepository() {
        return new DefaultPluginRepository(getPluginsRoots());
    }

    @Override
    protected PluginStatusProvider createPluginStatusProvider() {
        return new StoredPluginStatus();
    }

    @Override
    protected PluginLoader createPluginLoader() {
        return new DefaultPluginLoader(this) {
            @Override
            protected PluginClassLoader createPluginClassLoader(Path pluginPath, PluginDescriptor descriptor) {
                return new ApiFirstClassLoader(pluginManager, descriptor, GantryPluginManager.class.getClassLoader());
            }
        };
    }

    /** Whether this server's plugin API satisfies the plugin's {@code plugin.requires}. */
    boolean isCompatible(String requires) {
        return requires == null || requires.isBlank() || requires.equals("*")
                || getVersionManager().checkVersionConstraint(getSystemVersion(), requires);
    }

    private static final class ApiFirstClassLoader extends PluginClassLoader {
        ApiFirstClassLoader(PluginManager manager, PluginDescriptor descriptor, ClassLoader parent) {
            super(manager, descriptor, parent);
        }

        @Override
        public Class<?> loadClass(String name) throws ClassNotFoundException {
            for (String prefix : PARENT_FIRST) {
                if (name.startsWith(prefix)) {
                    return getParent().loadClass(name);
                }
            }
            return super.loadClass(name);
        }
    }
}
