package dev.gantry.server.plugins;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.PluginContext;
import dev.gantry.plugin.api.PluginDatabase;
import dev.gantry.plugin.api.PluginMetrics;
import dev.gantry.plugin.api.Secrets;
import dev.gantry.plugin.api.Workspace;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.pf4j.ExtensionFactory;

/**
 * Builds each extension once, through its one public constructor, from the services its plugin's
 * {@link PluginContext} offers (never from the server's injector). Anything else is refused with a message naming
 * the class.
 */
final class ContextExtensionFactory implements ExtensionFactory {
    private static final Map<Class<?>, Function<PluginContext, Object>> SERVICES = Map.of(
            PluginContext.class, context -> context,
            Clock.class, PluginContext::clock,
            HttpClient.class, PluginContext::httpClient,
            Secrets.class, PluginContext::secrets,
            Workspace.class, PluginContext::workspace,
            PluginMetrics.class, PluginContext::metrics,
            PluginConfig.class, PluginContext::config,
            PluginDatabase.class, PluginContext::database);

    private final Function<Class<?>, PluginContext> contextOf;
    private final Map<Class<?>, Object> instances = new ConcurrentHashMap<>();

    /** {@code contextOf} gives the context of the plugin an extension class belongs to. */
    ContextExtensionFactory(Function<Class<?>, PluginContext> contextOf) {
        this.contextOf = contextOf;
    }

    @Override
    public <T> T create(Class<T> type) {
        return type.cast(instances.computeIfAbsent(type, this::construct));
    }

    /** Drops the instances of an unloaded plugin, so its class loader can be collected. */
    void forget(ClassLoader loader) {
        instances.keySet().removeIf(type -> type.getClassLoader() == loader);
    }

    private Object construct(Class<?> type) {
        Constructor<?> constructor = singlePublicConstructor(type);
        PluginContext context = contextOf.apply(type);
        Object[] arguments = Arrays.stream(constructor.getParameterTypes())
                .map(parameter -> SERVICES.get(parameter).apply(context))
                .toArray();
        try {
            return constructor.newInstance(arguments);
        } catch (InvocationTargetException e) {
            throw new PluginLoadException("extension " + type.getName() + " failed in its constructor: "
                    + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new PluginLoadException("extension " + type.getName() + " cannot be built: " + e, e);
        }
    }

    static Constructor<?> singlePublicConstructor(Class<?> type) {
        if (Modifier.isAbstract(type.getModifiers()) || !Modifier.isPublic(type.getModifiers())) {
            throw new PluginLoadException("extension " + type.getName() + " must be a public, non-abstract class");
        }
        Constructor<?>[] constructors = type.getConstructors();
        if (constructors.length != 1) {
            throw new PluginLoadException("extension " + type.getName() + " must declare exactly one public constructor, "
                    + "found " + constructors.length + "; " + allowedParameters());
        }
        Constructor<?> constructor = constructors[0];
        for (Class<?> parameter : constructor.getParameterTypes()) {
            if (!SERVICES.containsKey(parameter)) {
                throw new PluginLoadException("extension " + type.getName() + " asks for a " + parameter.getName()
                        + " in its constructor, which the plugin context does not offer; " + allowedParameters());
            }
        }
        return constructor;
    }

    private static String allowedParameters() {
        return "its parameters may be only " + SERVICES.keySet().stream().map(Class::getSimpleName).sorted()
                .collect(Collectors.joining(", "));
    }
}
