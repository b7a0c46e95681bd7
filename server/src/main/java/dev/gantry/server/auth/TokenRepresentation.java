package dev.gantry.server.auth;

import java.time.Instant;

/** A token as listed: never the token itself, only the prefix that tells it apart. */
public record TokenRepresentation(String id, String userId, String name, String prefix, Instant createdAt,
                                  Instant expiresAt, Instant lastUsedAt, Instant revokedAt) {
    static TokenRepresentation of(ApiTokenEntity token) {
        return new TokenRepresentation(token.id, token.userId, token.name, token.tokenPrefix, token.createdAt,
                token.expiresAt, token.lastUsedAt, token.revokedAt);
    }
}
