package dev.gantry.server.auth;

import java.time.Instant;

/** A user as the API shows it: whether a password is set, never the password or its hash. */
public record UserRepresentation(String id, String name, Role role, Instant createdAt, boolean disabled,
                                 boolean passwordSet, Instant passwordChangedAt) {
    static UserRepresentation of(UserEntity user) {
        return new UserRepresentation(user.id, user.name, user.role, user.createdAt, user.disabledAt != null,
                user.passwordHash != null, user.passwordChangedAt);
    }
}
