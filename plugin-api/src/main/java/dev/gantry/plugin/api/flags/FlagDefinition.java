package dev.gantry.plugin.api.flags;

import java.time.Instant;
import java.util.Objects;

/**
 * A flag: {@code environmentsJson} holds, per environment, its enabled state, rules and variants, as the flag
 * service's JSON document (kept opaque here so the rule language can grow without changing this API).
 */
public record FlagDefinition(String key, String description, String owner, String type, boolean archived,
                             String environmentsJson, long version, Instant createdAt, Instant updatedAt) {
    public FlagDefinition {
        Objects.requireNonNull(key, "key is null");
        Objects.requireNonNull(environmentsJson, "environmentsJson is null");
    }
}
