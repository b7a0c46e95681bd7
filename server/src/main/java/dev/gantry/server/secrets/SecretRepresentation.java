package dev.gantry.server.secrets;

import java.time.Instant;

/** A secret as listed: never its value. */
public record SecretRepresentation(String id, String scope, String name, Instant createdAt, Instant updatedAt,
                                   String updatedBy) {
    static SecretRepresentation of(SecretEntity secret) {
        return new SecretRepresentation(secret.id, secret.scope, secret.name, secret.createdAt, secret.updatedAt,
                secret.updatedBy);
    }
}
