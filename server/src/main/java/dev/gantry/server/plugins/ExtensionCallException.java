package dev.gantry.server.plugins;

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

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
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
