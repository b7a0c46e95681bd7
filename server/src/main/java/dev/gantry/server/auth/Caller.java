package dev.gantry.server.auth;

import java.security.Principal;
import java.util.Optional;

/**
 * Who is calling: the authenticated user and what they authenticated with: an API token's id, {@code session:<id>}
 * for a signed-in browser, or {@code none} for the server itself.
 */
public record Caller(String userId, String name, Role role, String tokenId) implements Principal {
    /** The server acting on its own (bootstrap, bundled plugins), as recorded in the audit log. */
    public static final Caller SYSTEM = new Caller("system", "system", Role.ADMIN, "none");
    static final String SESSION_PREFIX = "session:";

    @Override
    public String getName() {
        return name;
    }

    /** The id of the browser session this call came with, or empty for an API token. */
    public Optional<String> sessionId() {
        return tokenId != null && tokenId.startsWith(SESSION_PREFIX)
                ? Optional.of(tokenId.substring(SESSION_PREFIX.length()))
                : Optional.empty();
    }
}
