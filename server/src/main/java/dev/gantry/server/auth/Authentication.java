package dev.gantry.server.auth;

import dev.gantry.server.http.ApiException;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;
import java.lang.reflect.Method;
import java.security.Principal;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Puts a role check in front of every route: the route's {@link RequiresRole}, or none for a {@link Public} one.
 * A route with neither stops start-up, so no route is ever left open by accident. Callers authenticate with an API
 * token ({@code Authorization: Bearer}) or, when they send no Authorization header, with a browser session's
 * cookie; a session's state-changing requests must also carry its CSRF token. SDK tokens pass only on routes
 * marked {@link SdkTokenAllowed}, agent tokens only on routes of an {@link AgentTokenOnly} resource (which admit
 * nothing else); anywhere else they get 403.
 */
public final class Authentication implements DynamicFeature {
    private final IdentityService identity;
    private final SessionService sessions;
    private final AgentTokens agentTokens;

    @Inject
    public Authentication(IdentityService identity, SessionService sessions, AgentTokens agentTokens) {
        this.identity = identity;
        this.sessions = sessions;
        this.agentTokens = agentTokens;
    }

    /**
     * The role a route requires, or empty when it is public; fails for a route that says neither. Routes for build
     * agents need no role: no user may call them.
     */
    public static Optional<Role> requiredRole(Class<?> resource, Method method) {
        if (resource.isAnnotationPresent(AgentTokenOnly.class)) {
            return Optional.empty();
        }
        if (method.isAnnotationPresent(Public.class)) {
            return Optional.empty();
        }
        RequiresRole role = method.getAnnotation(RequiresRole.class);
        if (role == null) {
            role = resource.getAnnotation(RequiresRole.class);
        }
        if (role == null && resource.isAnnotationPresent(Public.class)) {
            return Optional.empty();
        }
        if (role == null) {
            throw new IllegalStateException("route " + resource.getName() + "." + method.getName()
                    + " declares neither @RequiresRole nor @Public");
        }
        return Optional.of(role.value());
    }

    /** Fails unless every route of {@code resource} says who may call it. */
    public static void checkDeclared(Class<?> resource) {
        for (Method method : resource.getMethods()) {
            boolean isRoute = java.util.Arrays.stream(method.getAnnotations())
                    .anyMatch(a -> a.annotationType().isAnnotationPresent(jakarta.ws.rs.HttpMethod.class));
            if (isRoute) {
                requiredRole(resource, method);
            }
        }
    }

    @Override
    public void configure(ResourceInfo resourceInfo, FeatureContext context) {
        if (!resourceInfo.getResourceClass().getName().startsWith("dev.gantry.")) {
            return; // Jersey's own OPTIONS and HEAD handlers, which only describe routes
        }
        if (resourceInfo.getResourceClass().isAnnotationPresent(AgentTokenOnly.class)) {
            context.register(new AgentFilter(identity, sessions, agentTokens));
            return;
        }
        boolean sdkTokens = resourceInfo.getResourceMethod().isAnnotationPresent(SdkTokenAllowed.class);
        requiredRole(resourceInfo.getResourceClass(), resourceInfo.getResourceMethod())
                .ifPresent(role -> context.register(new RoleFilter(identity, sessions, role, sdkTokens)));
    }

    /** The build agent calling a route of an {@link AgentTokenOnly} resource. */
    public static AgentPrincipal agent(SecurityContext security) {
        if (security.getUserPrincipal() instanceof AgentPrincipal agent) {
            return agent;
        }
        throw new IllegalStateException("route called without an agent token");
    }

    /** Admits agent tokens only; a user's token or session is known but refused (403), anything else is 401. */
    @Priority(Priorities.AUTHENTICATION)
    static final class AgentFilter implements ContainerRequestFilter {
        private static final String ONLY_AGENTS = "this route belongs to the build agents' protocol and takes only an "
                + "agent token (gtyagt_..., made by an admin with POST /api/agent-tokens)";
        private final IdentityService identity;
        private final SessionService sessions;
        private final AgentTokens agentTokens;

        AgentFilter(IdentityService identity, SessionService sessions, AgentTokens agentTokens) {
            this.identity = identity;
            this.sessions = sessions;
            this.agentTokens = agentTokens;
        }

        @Override
        public void filter(ContainerRequestContext request) {
            String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
            if (header == null) {
                Cookie cookie = request.getCookies().get(SessionCookie.NAME);
                SessionService.Active session = cookie == null ? null : sessions.authenticate(cookie.getValue()).orElse(null);
                if (session == null) {
                    throw RoleFilter.unauthenticated(ONLY_AGENTS);
                }
                if (SessionCookie.changesState(request.getMethod())) {
                    SessionCookie.checkCsrf(request.getHeaderString(SessionCookie.CSRF_HEADER), session.csrfToken());
                }
                throw forbidden();
            }
            if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw RoleFilter.unauthenticated(ONLY_AGENTS);
            }
            String token = header.substring(7).trim();
            if (token.startsWith(Tokens.AGENT_PREFIX)) {
                AgentPrincipal agent = agentTokens.authenticate(token)
                        .orElseThrow(() -> RoleFilter.unauthenticated("the agent token is unknown or was deleted"));
                RoleFilter.authenticated(request, agent, role -> false, "Bearer");
                return;
            }
            boolean known = token.startsWith(Tokens.SDK_PREFIX) ? identity.authenticateSdk(token).isPresent()
                    : identity.authenticate(token).isPresent();
            if (!known) {
                throw RoleFilter.unauthenticated("the token is unknown, revoked or expired");
            }
            throw forbidden();
        }

        private static ApiException forbidden() {
            return new ApiException(403, "forbidden", ONLY_AGENTS, Map.of("token", "agent"));
        }
    }

    /** The caller of a route that requires a role. */
    public static Caller caller(SecurityContext security) {
        Principal principal = security.getUserPrincipal();
        if (principal instanceof Caller caller) {
            return caller;
        }
        if (principal instanceof SdkClient) {
            throw new IllegalStateException("route called with an SDK token, but it takes only users' tokens");
        }
        throw new IllegalStateException("route called without authentication");
    }

    /** The SDK calling a route marked {@link SdkTokenAllowed}, or empty when a user calls it. */
    public static Optional<SdkClient> sdkClient(SecurityContext security) {
        return security.getUserPrincipal() instanceof SdkClient client ? Optional.of(client) : Optional.empty();
    }

    @Priority(Priorities.AUTHENTICATION)
    static final class RoleFilter implements ContainerRequestFilter {
        private final IdentityService identity;
        private final SessionService sessions;
        private final Role required;
        private final boolean sdkTokens;

        RoleFilter(IdentityService identity, SessionService sessions, Role required, boolean sdkTokens) {
            this.identity = identity;
            this.sessions = sessions;
            this.required = required;
            this.sdkTokens = sdkTokens;
        }

        @Override
        public void filter(ContainerRequestContext request) {
            String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
            if (header == null) {
                Cookie cookie = request.getCookies().get(SessionCookie.NAME);
                if (cookie != null && !cookie.getValue().isEmpty()) {
                    withSession(request, cookie.getValue());
                    return;
                }
            }
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw unauthenticated("this route needs an API token: send 'Authorization: Bearer <token>' "
                        + "(or, from a browser, sign in with POST /api/session)");
            }
            String token = header.substring(7).trim();
            if (token.startsWith(Tokens.AGENT_PREFIX)) {
                throw new ApiException(403, "forbidden", "an agent token may only call the build agents' protocol "
                        + "(/api/agent/...); this route needs a user's API token with the " + required.id() + " role",
                        Map.of("required_role", required.id(), "token", "agent"));
            }
            if (token.startsWith(Tokens.SDK_PREFIX)) {
                SdkClient client = identity.authenticateSdk(token)
                        .orElseThrow(() -> unauthenticated("the SDK token is unknown or was deleted"));
                if (!sdkTokens) {
                    throw new ApiException(403, "forbidden", "an SDK token may only read the flag stream (GET "
                            + "/api/flags/stream) and report exposures (POST /api/flags/exposures); this route needs "
                            + "a user's API token with the " + required.id() + " role",
                            Map.of("required_role", required.id(), "token", "sdk"));
                }
                authenticated(request, client, role -> false, "Bearer");
                return;
            }
            Caller caller = identity.authenticate(token)
                    .orElseThrow(() -> unauthenticated("the token is unknown, revoked or expired"));
            requireRole(caller);
            authenticated(request, caller, role -> caller.role().includes(Role.fromId(role)), "Bearer");
        }

        /** A browser's call: the cookie's session, and its CSRF token on anything that changes state. */
        private void withSession(ContainerRequestContext request, String secret) {
            SessionService.Active session = sessions.authenticate(secret)
                    .orElseThrow(() -> unauthenticated("the session has ended (signed out, idle too long, too old, or "
                            + "ended by a password change); sign in again"));
            if (SessionCookie.changesState(request.getMethod())) {
                SessionCookie.checkCsrf(request.getHeaderString(SessionCookie.CSRF_HEADER), session.csrfToken());
            }
            Caller caller = session.caller();
            requireRole(caller);
            authenticated(request, caller, role -> caller.role().includes(Role.fromId(role)), "Session");
        }

        private void requireRole(Caller caller) {
            if (!caller.role().includes(required)) {
                throw new ApiException(403, "forbidden", "this route needs the " + required.id() + " role; "
                        + caller.name() + " has " + caller.role().id(),
                        Map.of("required_role", required.id(), "role", caller.role().id()));
            }
        }

        static void authenticated(ContainerRequestContext request, Principal principal,
                                          Predicate<String> inRole, String scheme) {
            boolean secure = request.getSecurityContext().isSecure();
            request.setSecurityContext(new SecurityContext() {
                @Override
                public Principal getUserPrincipal() {
                    return principal;
                }

                @Override
                public boolean isUserInRole(String role) {
                    return inRole.test(role);
                }

                @Override
                public boolean isSecure() {
                    return secure;
                }

                @Override
                public String getAuthenticationScheme() {
                    return scheme;
                }
            });
        }

        static ApiException unauthenticated(String message) {
            return new ApiException(401, "unauthenticated", message);
        }
    }
}
