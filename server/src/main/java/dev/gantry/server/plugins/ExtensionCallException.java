package dev.gantry.server.plugins;

import dev.gantry.plugin.api.ExtensionFailedException;

/** An extension failed while the server called it; the message names the plugin, the extension and the method. */
public class ExtensionCallException extends RuntimeException {
    private final String pluginId;
    private final String extension;
    private final String method;

    ExtensionCallException(String pluginId, String extension, String method, Throwable cause) {
        super("plugin '" + pluginId + "' failed in " + simpleName(extension) + "." + method + ": " + describe(cause), cause);
        this.pluginId = pluginId;
        this.extension = extension;
        this.method = method;
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /**
     * An {@link ExtensionFailedException}'s message is meant for people; any other exception's may hold internals
     * (SQL, paths), so only its type is shown and the whole of it goes to the server log.
     */
    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        if (cause instanceof ExtensionFailedException && message != null && !message.isBlank()) {
            return message;
        }
        return cause.getClass().getSimpleName() + " (details in the server log)";
    }

    public String pluginId() {
        return pluginId;
    }

    public String extension() {
        return extension;
    }

    public String method() {
        return method;
    }
}
