package dev.gantry.server.auth;

import java.time.Instant;

/**
 * A signed-in browser's session as the API shows it: the user, the token to send as {@code X-CSRF-Token} with every
 * state-changing request, and when the session ends at the latest (it ends sooner when idle). The session's secret
 * travels only in the HttpOnly cookie.
 */
public record SessionRepresentation(UserRepresentation user, String csrfToken, Instant expiresAt) {
}
