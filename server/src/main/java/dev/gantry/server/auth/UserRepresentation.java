package dev.gantry.server.auth;

import java.time.Instant;

public record UserRepresentation(String id, String name, Role role, Instant createdAt, boolean disabled) {
    static UserRepresentation of(UserEntity user) {
        return new UserRepresentation(user.id, user.name, user.role, user.createdAt, user.disabledAt != null);
    }
}
