package dev.gantry.plugin.api;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** A plugin's own settings: the server's {@code plugin.<id>.<key>} entries, with the prefix removed. */
public record PluginConfig(Map<String, String> values) {
    public PluginConfig {
        values = Map.copyOf(Objects.requireNonNull(values, "values is null"));
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** The value of a setting the plugin cannot work without; the message names the key to set. */
    public String require(String key) {
        String value = values.get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("setting '" + key + "' is required");
        }
        return value;
    }
}
