package dev.gantry.plugin.api.build;

/** Where a step's output goes, one line at a time, as it is produced. */
@FunctionalInterface
public interface LogSink {
    void line(String line);
}
