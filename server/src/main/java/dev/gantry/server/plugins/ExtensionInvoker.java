package dev.gantry.server.plugins;

import io.prometheus.metrics.core.metrics.Histogram;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import dev.gantry.plugin.api.ExtensionFailedException;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server holds instead of an extension: a proxy that runs each call with the plugin's class loader as the
 * context class loader, times it, and turns an unexpected failure into an {@link ExtensionCallException} naming the
 * plugin. Checked exceptions the extension point declares pass through unchanged: they are part of its contract.
 */
final class ExtensionInvoker implements InvocationHandler {
    private static final Logger log = LoggerFactory.getLogger(ExtensionInvoker.class);
    private final String pluginId;
    private final Class<?> point;
    private final Object target;
    private final ClassLoader pluginLoader;
    private final Histogram calls;

    private ExtensionInvoker(String pluginId, Class<?> point, Object target, Histogram calls) {
        this.pluginId = pluginId;
        this.point = point;
        this.target = target;
        this.pluginLoader = target.getClass().getClassLoader();
        this.calls = calls;
    }

    static <T> T wrap(String pluginId, Class<T> point, Object target, Histogram calls) {
        return point.cast(Proxy.newProxyInstance(point.getClassLoader(), new Class<?>[] {point},
                new ExtensionInvoker(pluginId, point, target, calls)));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "toString" -> point.getSimpleName() + "[" + target.getClass().getName() + " from plugin " + pluginId + "]";
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> method.invoke(target, args);
            };
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(pluginLoader);
        long started = System.nanoTime();
        String outcome = "ok";
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            outcome = "error";
            if (cause instanceof OutOfMemoryError || isDeclared(method, cause) || isApiContract(cause)) {
                throw cause;
            }
            log.warn("Plugin {} failed in {}.{}", pluginId, target.getClass().getName(), method.getName(), cause);
            throw new ExtensionCallException(pluginId, target.getClass().getName(), method.getName(), cause);
        } finally {
            thread.setContextClassLoader(previous);
            calls.labelValues(pluginId, point.getSimpleName(), method.getName(), outcome)
                    .observe((System.nanoTime() - started) / 1e9);
        }
    }

    /**
     * Exceptions the plugin API defines as part of a contract (a rejected webhook, a stale flag) mean what they say
     * and reach the caller as they are; {@link ExtensionFailedException} is the API's way to report a failure.
     */
    private static boolean isApiContract(Throwable cause) {
        return cause.getClass().getName().startsWith("dev.gantry.plugin.api.") && !(cause instanceof ExtensionFailedException);
    }

    private static boolean isDeclared(Method method, Throwable cause) {
        return !(cause instanceof RuntimeException) && !(cause instanceof Error)
                && Arrays.stream(method.getExceptionTypes()).anyMatch(type -> type.isInstance(cause));
    }
}
