package dev.gantry.server.auth;

import java.security.Principal;

/** Who is calling: the authenticated user and the token used. */
public record Caller(String userId, String name, Role role, String tokenId) implements Principal {
    /** The server acting on its own (bootstrap, bundled plugins), as recorded in the audit log. */
    public static final Caller SYSTEM = new Caller("system", "system", Role.ADMIN, "none");

    @Override
    public String getName() {
        return name;
    }
}
