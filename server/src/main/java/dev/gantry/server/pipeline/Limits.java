package dev.gantry.server.pipeline;

/** Resources each step may use. */
public record Limits(long memoryBytes, int processes, double cpus) {
    public static final Limits DEFAULT = new Limits(2L << 30, 512, 2);

    public Limits {
        if (memoryBytes <= 0 || processes <= 0 || !(cpus > 0)) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }
}
