package dev.gantry.server.plugins;

/** An extension of a started plugin, behind its {@link ExtensionInvoker} proxy. */
public record Extension<T>(String pluginId, String className, T instance) {
}
