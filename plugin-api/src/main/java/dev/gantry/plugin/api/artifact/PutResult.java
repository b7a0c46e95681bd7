package dev.gantry.plugin.api.artifact;

/** {@code created} is false when a blob was already stored under the digest (this call then stored nothing). */
public record PutResult(String digest, long sizeBytes, boolean created) {
}
