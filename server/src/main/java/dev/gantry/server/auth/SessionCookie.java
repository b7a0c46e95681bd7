package dev.gantry.server.auth;

import dev.gantry.server.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Set;

/**
 * The browser's side of a session: the {@code gantry_session} cookie and the {@code X-CSRF-Token} header that must
 * come with every request that changes something. The cookie is HttpOnly (scripts cannot read it) and
 * SameSite=Strict (other sites cannot make the browser send it); the CSRF token is a second line behind that.
 */
public final class SessionCookie {
    public static final String NAME = "gantry_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    private SessionCookie() {
    }

    /** The Set-Cookie value that hands {@code secret} to the browser for {@code lifetime}. */
    static String issue(String secret, Duration lifetime, boolean secure) {
        return NAME + "=" + secret + "; Path=/; Max-Age=" + Math.max(0, lifetime.toSeconds())
                + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    /** The Set-Cookie value that makes the browser forget the cookie. */
    static String expire(boolean secure) {
        return NAME + "=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict"
                + (secure ? "; Secure" : "");
    }

    static boolean changesState(String method) {
        return !SAFE_METHODS.contains(method);
    }

    /** Fails with 403 unless {@code sent} (the request's X-CSRF-Token) is the session's token; constant time. */
    static void checkCsrf(String sent, String expected) {
        if (sent == null || sent.isBlank()) {
            throw new ApiException(403, "csrf_token_missing", "a signed-in browser must send the header " + CSRF_HEADER
                    + " with the session's csrf_token (from POST or GET /api/session) on POST, PUT, PATCH and DELETE");
        }
        if (!MessageDigest.isEqual(sent.trim().getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(403, "csrf_token_invalid", "the " + CSRF_HEADER + " header does not match this "
                    + "session's csrf_token; read the current one from GET /api/session");
        }
    }
}
