package dev.gantry.plugin.api.artifact;

import java.io.IOException;

/** The stored bytes no longer hash to their name (or are not all there); they are never served as good. */
public class CorruptArtifactException extends IOException {
    public CorruptArtifactException(String message) {
        super(message);
    }
}
