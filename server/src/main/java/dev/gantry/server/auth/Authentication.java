package dev.gantry.server.auth;

import dev.gantry.server.http.ApiException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;
import java.lang.reflect.Method;
import java.security.Principal;
import java.util.Map;
import java.util.Optional;

/**
 * Puts a role check in front of every route: the route's {@link RequiresRole}, or none for a {@link Public} one.
 * A route with neither stops start-up, so no route is ever left open by accident.
 */
public final class Authentication implements DynamicFeature {
    private final IdentityService identity;

    public Authentication(IdentityService identity) {
        this.identity = identity;
    }

    /** The role a route requires, or empty when it is public; fails for a route that says neither. */
    public static Optional<Role> requiredRole(Class<?> resource, Method method) {
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
        requiredRole(resourceInfo.getResourceClass(), resourceInfo.getResourceMethod())
                .ifPresent(role -> context.register(new RoleFilter(identity, role)));
    }

    /** The caller of a route that requires a role. */
    public static Caller caller(SecurityContext security) {
        Principal principal = security.getUserPrincipal();
        if (principal instanceof Caller caller) {
            return caller;
        }
        throw new IllegalStateException("route called without authentication");
    }

    @Priority(Priorities.AUTHENTICATION)
    static final class RoleFilter implements ContainerRequestFilter {
        private final IdentityService identity;
        private final Role required;

        RoleFilter(IdentityService identity, Role required) {
            this.identity = identity;
            this.required = required;
        }

        @Override
        public void filter(ContainerRequestContext request) {
            String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw unauthenticated("this route needs an API token: send 'Authorization: Bearer <token>'");
            }
            Caller caller = identity.authenticate(header.substring(7).trim())
                    .orElseThrow(() -> unauthenticated("the token is unknown, revoked or expired"));
            if (!caller.role().includes(required)) {
                throw new ApiException(403, "forbidden", "this route needs the " + required.id() + " role; "
                        + caller.name() + " has " + caller.role().id(),
                        Map.of("required_role", required.id(), "role", caller.role().id()));
            }
            boolean secure = request.getSecurityContext().isSecure();
            request.setSecurityContext(new SecurityContext() {
                @Override
                public Principal getUserPrincipal() {
                    return caller;
                }

                @Override
                public boolean isUserInRole(String role) {
                    return caller.role().includes(Role.fromId(role));
                }

                @Override
                public boolean isSecure() {
                    return secure;
                }

                @Override
                public String getAuthenticationScheme() {
                    return "Bearer";
                }
            });
        }

        private static ApiException unauthenticated(String message) {
            return new ApiException(401, "unauthenticated", message);
        }
    }
}
