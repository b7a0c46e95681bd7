package dev.gantry.plugin.api;

import java.time.Duration;

/** Metrics a plugin exports; names are prefixed {@code gantry_plugin_} and labelled with the plugin id. */
public interface PluginMetrics {
    Counter counter(String name, String help);

    Timer timer(String name, String help);

    interface Counter {
        void increment();
    }

    interface Timer {
        void record(Duration duration);
    }
}
