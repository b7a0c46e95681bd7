package dev.gantry.server.testing;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A browser's way of calling the API: signs in through {@code POST /api/session}, then sends the session cookie
 * (never an Authorization header) and, on requests that change state, the {@code X-CSRF-Token} header.
 */
public final class Browser {
    public static final String COOKIE = "gantry_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";

    private final Api api;
    private String cookie;
    private String csrfToken;

    public Browser(Api api) {
        this.api = api;
    }

    /** A browser that already holds {@code cookie} (e.g. a stale or forged one), without a CSRF token. */
    public static Browser withCookie(Api api, String cookie) {
        Browser browser = new Browser(api);
        browser.cookie = cookie;
        return browser;
    }

    public Api.Reply signIn(String name, String password) {
        return signIn("{\"name\":" + Json.quote(name) + ",\"password\":" + Json.quote(password) + "}");
    }

    public Api.Reply signInWithToken(String token) {
        return signIn("{\"token\":" + Json.quote(token) + "}");
    }

    /** Signs in and fails unless it worked. */
    public Browser signedIn(String token) {
        Api.Reply reply = signInWithToken(token);
        if (reply.status() != 201) {
            throw new IllegalStateException("sign-in failed: " + reply.status() + " " + reply.body());
        }
        return this;
    }

    private Api.Reply signIn(String json) {
        Api.Reply reply = send("POST", "/api/session", json, true);
        if (reply.status() == 201) {
            cookie = sessionCookie(reply).orElseThrow(() -> new AssertionError("no session cookie in " + reply.headers()));
            csrfToken = reply.json().get("csrf_token").asText();
        }
        return reply;
    }

    /** The value of the session cookie that a response sets, if it sets one. */
    public static Optional<String> sessionCookie(Api.Reply reply) {
        return setCookie(reply).map(header -> header.substring(COOKIE.length() + 1, header.indexOf(';')));
    }

    /** The whole Set-Cookie header of the session cookie, attributes included. */
    public static Optional<String> setCookie(Api.Reply reply) {
        return reply.headers().allValues("Set-Cookie").stream().filter(h -> h.startsWith(COOKIE + "=")).findFirst();
    }

    public Api.Reply get(String path) {
        return send("GET", path, null, false);
    }

    /** A JSON request that sends the CSRF token when the method changes state. */
    public Api.Reply call(String method, String path, String json) {
        return send(method, path, json, !method.equals("GET"));
    }

    /** A request with the session cookie; the CSRF header only when {@code withCsrf}. */
    public Api.Reply send(String method, String path, String json, boolean withCsrf) {
        return bytes(method, path, json == null ? null : "application/json",
                json == null ? null : json.getBytes(StandardCharsets.UTF_8), withCsrf);
    }

    public Api.Reply bytes(String method, String path, String contentType, byte[] body, boolean withCsrf) {
        Map<String, String> headers = new HashMap<>();
        if (cookie != null) {
            headers.put("Cookie", COOKIE + "=" + cookie);
        }
        if (withCsrf && csrfToken != null) {
            headers.put(CSRF_HEADER, csrfToken);
        }
        return api.send(method, path, headers, contentType, body);
    }

    /** A request with the session cookie and exactly these extra headers. */
    public Api.Reply withHeaders(String method, String path, String json, Map<String, String> extra) {
        Map<String, String> headers = new HashMap<>(extra);
        if (cookie != null) {
            headers.put("Cookie", COOKIE + "=" + cookie);
        }
        return api.send(method, path, headers, json == null ? null : "application/json",
                json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    public String cookie() {
        return cookie;
    }

    public String csrfToken() {
        return csrfToken;
    }

    /** JSON string literals for the few bodies built here. */
    private static final class Json {
        static String quote(String text) {
            try {
                return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(text);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
