package dev.gantry.server.auth;

import java.time.Instant;

/** An SDK token as listed: never the token itself, only the prefix that tells it apart. */
public record SdkTokenRepresentation(String id, String environment, String name, String prefix, Instant createdAt,
                                     String createdBy, Instant lastUsedAt) {
    static SdkTokenRepresentation of(SdkTokenEntity token) {
        return new SdkTokenRepresentation(token.id, token.environment, token.name, token.tokenPrefix, token.createdAt,
                token.createdBy, token.lastUsedAt);
    }
}
