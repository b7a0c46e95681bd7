package dev.gantry.server.auth;

import dev.gantry.server.config.ServerConfig;
import dev.gantry.server.http.ApiException;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.util.Map;

/**
 * Signing a browser in and out. Sign-in takes JSON only, which a form on another site cannot send, so no other site
 * can sign a browser into an account of its choosing.
 */
@Path("/api/session")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SessionResource {
    private final LoginService login;
    private final SessionService sessions;
    private final ServerConfig config;

    @Inject
    public SessionResource(LoginService login, SessionService sessions, ServerConfig config) {
        this.login = login;
        this.sessions = sessions;
        this.config = config;
    }

    /** {@code name} and {@code password}, or {@code token}: any valid API token of the user. */
    public record Credentials(String name, String password, String token) {
    }

    @POST
    @Public
    public Response signIn(@Context SecurityContext security, @Context HttpServletRequest request,
                           @CookieParam(SessionCookie.NAME) String previous, Credentials body) {
        if (body == null || (body.token() == null && body.name() == null && body.password() == null)) {
            throw ApiException.badRequest("send {\"name\", \"password\"} or {\"token\"}");
        }
        LoginService.SignedIn signedIn;
        if (body.token() != null) {
            if (body.name() != null || body.password() != null) {
                throw ApiException.badRequest("send either 'name' and 'password', or 'token', not both");
            }
            signedIn = login.withToken(body.token(), request.getRemoteAddr());
        } else {
            if (body.name() == null || body.name().isBlank()) {
                throw ApiException.missingField("name");
            }
            if (body.password() == null || body.password().isEmpty()) {
                throw ApiException.missingField("password");
            }
            signedIn = login.withPassword(body.name(), body.password(), request.getRemoteAddr());
        }
        if (previous != null) {
            sessions.end(previous); // signing in again replaces the browser's session instead of leaving it behind
        }
        SessionService.Opened session = signedIn.session();
        return Response.status(Response.Status.CREATED)
                .header(HttpHeaders.SET_COOKIE, SessionCookie.issue(session.secret(), session.lifetime(),
                        secure(security)))
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .entity(new SessionRepresentation(signedIn.user(), session.csrfToken(), session.expiresAt()))
                .build();
    }

    /** The signed-in user and the CSRF token, e.g. when the UI is opened again with a live cookie. */
    @GET
    @RequiresRole(Role.VIEWER)
    public Response current(@Context SecurityContext security) {
        String id = Authentication.caller(security).sessionId().orElseThrow(() -> new ApiException(404, "no_session",
                "this request was authenticated with an API token, not a session cookie; a browser signs in with "
                        + "POST /api/session", Map.of()));
        SessionRepresentation session = sessions.find(id)
                .orElseThrow(() -> new ApiException(401, "unauthenticated", "the session has ended; sign in again"));
        return Response.ok(session).header(HttpHeaders.CACHE_CONTROL, "no-store").build();
    }

    /**
     * Signs out: the session ends on every replica and the browser forgets the cookie. Answers 204 even without a
     * live session, so a browser can always get back to a clean state; a live session needs its CSRF token.
     */
    @DELETE
    @Public
    public Response signOut(@Context SecurityContext security, @CookieParam(SessionCookie.NAME) String secret,
                            @HeaderParam(SessionCookie.CSRF_HEADER) String csrf) {
        if (secret != null) {
            sessions.authenticate(secret).ifPresent(active -> SessionCookie.checkCsrf(csrf, active.csrfToken()));
            sessions.end(secret);
        }
        return Response.noContent()
                .header(HttpHeaders.SET_COOKIE, SessionCookie.expire(secure(security)))
                .build();
    }

    /** Secure cookies over TLS, and behind a proxy that terminates TLS for an https public URL. */
    private boolean secure(SecurityContext security) {
        return security.isSecure() || config.publicUrl().filter(url -> url.regionMatches(true, 0, "https:", 0, 6)).isPresent();
    }
}
