package dev.gantry.plugin.api.artifact;

/** {@code created} is false when the identical blob was already stored. */
public record PutResult(String digest, long sizeBytes, boolean created) {
}
