package dev.gantry.plugin.api.artifact;

import java.io.IOException;

/** No blob is stored under the digest asked for. */
public class ArtifactNotFoundException extends IOException {
    public ArtifactNotFoundException(String message) {
        super(message);
    }
}
