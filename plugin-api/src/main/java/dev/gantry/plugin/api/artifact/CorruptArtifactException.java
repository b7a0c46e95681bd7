package dev.gantry.plugin.api.artifact;

import java.io.IOException;

/** The stored bytes no longer hash to their name. */
public class CorruptArtifactException extends IOException {
    public CorruptArtifactException(String message) {
        super(message);
    }
}
