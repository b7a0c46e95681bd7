package dev.gantry.server.pipeline;

import static java.util.Objects.requireNonNull;

/** The workspace directory packaged as the build's artifact; it must hold {@code bin/start}. */
public record ArtifactSpec(String path) {
    public ArtifactSpec {
        requireNonNull(path, "path is null");
    }
}
