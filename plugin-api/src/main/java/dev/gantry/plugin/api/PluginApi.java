package dev.gantry.plugin.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Facts about this plugin API itself. */
public final class PluginApi {
    /** The version of this API, e.g. {@code 0.1.0}; plugins state the range they need in {@code Plugin-Requires}. */
    public static final String VERSION = readVersion();

    private PluginApi() {
    }

    private static String readVersion() {
        try (InputStream in = PluginApi.class.getResourceAsStream("/META-INF/gantry/plugin-api.properties")) {
            if (in == null) {
                throw new IllegalStateException("META-INF/gantry/plugin-api.properties is missing from the plugin-api jar");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
