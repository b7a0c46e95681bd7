package dev.gantry.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import dev.gantry.server.http.JaxrsResource;
import dev.gantry.server.testing.Api;
import dev.gantry.server.testing.Browser;
import dev.gantry.server.testing.TestServer;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every route × every role, against the permission matrix in docs/security.md: once with each role's API token, and
 * once with a browser session of each role (cookie, and the CSRF token on state-changing requests).
 */
class RoutePermissionsIT {
    private static final List<String> CALLERS = List.of("anonymous", "viewer", "developer", "deployer", "admin");
    private static final Pattern ROW = Pattern.compile(
            "^\\|\\s*(GET|POST|PUT|PATCH|DELETE)\\s*\\|\\s*`([^`]+)`\\s*\\|\\s*(\\w+)\\s*\\|\\s*(\\w+)\\s*\\|\\s*(\\w+)\\s*\\|\\s*(\\w+)\\s*\\|\\s*(\\w+)\\s*\\|\\s*$");

    private static TestServer server;
    private static final Map<String, String> TOKENS = new LinkedHashMap<>();
    /** Signed in when first needed, and again after a call of DELETE /api/session has signed one out. */
    private static final Map<String, Browser> SESSIONS = new LinkedHashMap<>();
    private static final String SIGN_OUT = "DELETE /api/session";

    @FunctionalInterface
    interface Caller {
        Api.Reply call(Route route, String path, String caller);
    }

    record Route(String method, String path, String consumes) implements Comparable<Route> {
        String key() {
            return method + " " + path;
        }

        @Override
        public int compareTo(Route other) {
            return key().compareTo(other.key());
        }
    }

    @BeforeAll
    static void start() {
        server = TestServer.start();
        TOKENS.put("anonymous", null);
        for (String role : List.of("viewer", "developer", "deployer")) {
            TOKENS.put(role, server.tokenFor("matrix-" + role, role));
        }
        TOKENS.put("admin", TestServer.ADMIN_TOKEN);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Map<String, List<String>> documentedMatrix() throws IOException {
        java.nio.file.Path doc = java.nio.file.Path.of(System.getProperty("gantry.repository.root", ".."), "docs", "security.md");
        Map<String, List<String>> matrix = new LinkedHashMap<>();
        for (String line : Files.readAllLines(doc)) {
            Matcher row = ROW.matcher(line);
            if (row.matches()) {
                matrix.put(row.group(1) + " " + row.group(2),
                        List.of(row.group(3), row.group(4), row.group(5), row.group(6), row.group(7)));
            }
        }
        return matrix;
    }

    private static Set<Route> serverRoutes() {
        Set<JaxrsResource> resources = server.server().injector().getInstance(Key.get(new TypeLiteral<Set<JaxrsResource>>() { }));
        Set<Route> routes = new TreeSet<>();
        for (JaxrsResource resource : resources) {
            Class<?> type = resource.type();
            String base = type.getAnnotation(Path.class).value();
            for (Method method : type.getMethods()) {
                String http = null;
                for (Annotation annotation : method.getAnnotations()) {
                    HttpMethod marker = annotation.annotationType().getAnnotation(HttpMethod.class);
                    if (marker != null) {
                        http = marker.value();
                    }
                }
                if (http == null) {
                    continue;
                }
                Path sub = method.getAnnotation(Path.class);
                String path = sub == null ? base : (base + "/" + sub.value()).replaceAll("/+", "/");
                path = path.replaceAll("\\{(\\w+)\\s*:[^}]*}", "{$1}");
                if (path.length() > 1 && path.endsWith("/")) {
                    path = path.substring(0, path.length() - 1);
                }
                Consumes consumes = method.getAnnotation(Consumes.class) != null ? method.getAnnotation(Consumes.class) : type.getAnnotation(Consumes.class);
                routes.add(new Route(http, path, consumes == null ? "application/json" : consumes.value()[0]));
            }
        }
        return routes;
    }

    @Test
    void theDocumentedMatrixListsExactlyTheServersRoutes() throws IOException {
        Set<String> documented = new TreeSet<>(documentedMatrix().keySet());
        Set<String> actual = new TreeSet<>();
        serverRoutes().forEach(route -> actual.add(route.key()));
        assertThat(actual).as("routes in the server vs docs/security.md").isEqualTo(documented);
    }

    @Test
    void everyRouteLetsThroughExactlyTheRolesTheMatrixAllows() throws IOException {
        assertThat(mismatches((route, path, caller) -> call(route, path, TOKENS.get(caller)))).isEmpty();
    }

    @Test
    void aSessionOfEachRoleIsLetThroughExactlyWhereThatRolesTokenIs() throws IOException {
        List<String> mismatches = mismatches((route, path, caller) -> {
            Api.Reply reply = callWithSession(route, path, session(caller), true);
            if (route.key().equals(SIGN_OUT)) {
                SESSIONS.remove(caller);
            }
            return reply;
        });
        assertThat(mismatches).isEmpty();
    }

    @Test
    void everyStateChangingRouteRefusesASessionWithoutItsCsrfToken() throws IOException {
        Map<String, List<String>> matrix = documentedMatrix();
        List<String> mismatches = new ArrayList<>();
        for (Route route : serverRoutes()) {
            List<String> allowed = matrix.get(route.key());
            boolean guarded = allowed != null && allowed.get(0).equals("no") || route.key().equals(SIGN_OUT);
            if (route.method().equals("GET") || !guarded) {
                continue; // reads need no CSRF token; public routes (webhooks, signing in) take no session
            }
            String path = route.path().replaceAll("\\{\\w+}", "no-such-id");
            Api.Reply reply = callWithSession(route, path, session("admin"), false);
            if (reply.status() != 403 || !reply.error().equals("csrf_token_missing")) {
                mismatches.add(route.key() + ": expected 403 csrf_token_missing, got " + reply.status() + " " + reply.body());
            }
        }
        assertThat(mismatches).isEmpty();
    }

    /** The calls that the matrix does not predict, each route called by each caller through {@code calls}. */
    private static List<String> mismatches(Caller calls) throws IOException {
        Map<String, List<String>> matrix = documentedMatrix();
        List<String> mismatches = new ArrayList<>();
        for (Route route : serverRoutes()) {
            List<String> allowed = matrix.get(route.key());
            if (allowed == null) {
                continue; // reported by the other test
            }
            String path = route.path().replace("{path}", "no-such-page.html").replaceAll("\\{\\w+}", "no-such-id");
            for (int i = 0; i < CALLERS.size(); i++) {
                String caller = CALLERS.get(i);
                Api.Reply reply;
                try {
                    reply = calls.call(route, path, caller);
                } catch (RuntimeException e) {
                    throw new AssertionError(route.key() + " as " + caller + " failed: " + e, e);
                }
                boolean shouldPass = allowed.get(i).equals("yes");
                int denied = caller.equals("anonymous") ? 401 : 403;
                boolean passed = reply.status() != 401 && reply.status() != 403;
                if (shouldPass != passed || (!shouldPass && reply.status() != denied)) {
                    mismatches.add(route.key() + " as " + caller + ": expected " + (shouldPass ? "allowed" : String.valueOf(denied))
                            + ", got " + reply.status() + " " + reply.body());
                }
            }
        }
        return mismatches;
    }

    /** A browser session of {@code caller}'s role; for "anonymous", a cookie that is no session at all. */
    private static Browser session(String caller) {
        return SESSIONS.computeIfAbsent(caller, c -> c.equals("anonymous")
                ? Browser.withCookie(server.api(), "not-a-session")
                : new Browser(server.api()).signedIn(TOKENS.get(c)));
    }

    private static Api.Reply callWithSession(Route route, String path, Browser browser, boolean csrf) {
        return switch (route.method()) {
            case "GET" -> browser.send("GET", path, null, false);
            case "DELETE" -> browser.send("DELETE", path, null, csrf);
            default -> route.consumes().equals("application/json")
                    ? browser.send(route.method(), path, "{}", csrf)
                    : browser.bytes(route.method(), path, route.consumes(), "{}".getBytes(), csrf);
        };
    }

    private static Api.Reply call(Route route, String path, String token) {
        Api api = server.api();
        return switch (route.method()) {
            case "GET" -> api.get(path, token);
            case "DELETE" -> api.delete(path, token);
            default -> route.consumes().equals("application/json")
                    ? api.method(route.method(), path, token, "{}")
                    : api.bytes(route.method(), path, token, route.consumes(), "{}".getBytes());
        };
    }
}
