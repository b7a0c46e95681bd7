package dev.gantry.plugin.api.flags;

import java.time.Instant;
import java.util.Objects;

/**
 * A segment: a named list of constraints that flag rules share. {@code constraintsJson} is the JSON array of
 * constraints, opaque here like a flag's environments; {@code version} is 0 for a segment not saved yet.
 */
public record SegmentDefinition(String key, String description, String constraintsJson, long version,
                                Instant createdAt, Instant updatedAt) {
    public SegmentDefinition {
        Objects.requireNonNull(key, "key is null");
        Objects.requireNonNull(description, "description is null");
        Objects.requireNonNull(constraintsJson, "constraintsJson is null");
        Objects.requireNonNull(createdAt, "createdAt is null");
        Objects.requireNonNull(updatedAt, "updatedAt is null");
    }
}
