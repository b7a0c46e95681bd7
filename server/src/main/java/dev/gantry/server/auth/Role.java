package dev.gantry.server.auth;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Roles, each allowed everything the ones before it are (see docs/security.md). */
public enum Role {
    VIEWER,
    DEVELOPER,
    DEPLOYER,
    ADMIN;

    public boolean includes(Role other) {
        return compareTo(other) >= 0;
    }

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Role fromId(String id) {
        return Arrays.stream(values())
                .filter(role -> role.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown role '" + id + "'; roles are "
                        + Arrays.stream(values()).map(Role::id).collect(Collectors.joining(", "))));
    }
}
