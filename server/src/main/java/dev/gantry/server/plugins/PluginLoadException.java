package dev.gantry.server.plugins;

/** A plugin could not be loaded, started or wired; the message says which and why. */
public class PluginLoadException extends RuntimeException {
    public PluginLoadException(String message) {
        super(message);
    }

    public PluginLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
