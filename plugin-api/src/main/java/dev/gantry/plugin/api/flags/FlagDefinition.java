package dev.gantry.plugin.api.flags;

import java.time.Instant;
import java.util.Objects;

/**
 * A flag: {@code environmentsJson} holds, per environment, its enabled state, rules and variants, as the flag
 * service's JSON document (kept opaque here so the rule language can grow without changing this API). A flag has
 * no description or owner when those are empty; {@code version} is 0 for a flag not saved yet.
 */
public record FlagDefinition(String key, String description, String owner, String type, boolean archived,
                             String environmentsJson, long version, Instant createdAt, Instant updatedAt) {
    public FlagDefinition {
        Objects.requireNonNull(key, "key is null");
        Objects.requireNonNull(description, "description is null");
        Objects.requireNonNull(owner, "owner is null");
        Objects.requireNonNull(type, "type is null");
        Objects.requireNonNull(environmentsJson, "environmentsJson is null");
        Objects.requireNonNull(createdAt, "createdAt is null");
        Objects.requireNonNull(updatedAt, "updatedAt is null");
    }
}
