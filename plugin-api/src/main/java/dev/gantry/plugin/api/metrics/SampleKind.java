package dev.gantry.plugin.api.metrics;

/** What one sample stands for; the analyzer demands a different minimum count of each. */
public enum SampleKind {
    PER_REQUEST,
    PER_INTERVAL
}
