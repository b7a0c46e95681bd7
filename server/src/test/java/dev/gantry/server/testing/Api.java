package dev.gantry.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** A small HTTP client for tests: real requests to a running server, JSON bodies parsed. */
public final class Api {
    private static final ObjectMapper JSON = new ObjectMapper();
    // HTTP/1.1, the path most clients take; ServerHttpIT covers the JDK's default h2c upgrade on its own
    private final HttpClient client;
    private final URI base;

    public Api(URI base) {
        this(base, null);
    }

    /** A client of an https server whose certificate {@code tls} trusts. */
    public Api(URI base, javax.net.ssl.SSLContext tls) {
        this.base = base;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.client = builder.build();
    }

    public record Reply(int status, String body, java.net.http.HttpHeaders headers) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("response is not JSON (status " + status + "): " + body, e);
            }
        }

        public String error() {
            return json().path("error").asText();
        }
    }

    public Reply get(String path, String token) {
        return send(request(path, token).GET());
    }

    public Reply delete(String path, String token) {
        return send(request(path, token).DELETE());
    }

    public Reply post(String path, String token, String json) {
        return send(request(path, token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Reply method(String method, String path, String token, String json) {
        HttpRequest.BodyPublisher body = json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json);
        HttpRequest.Builder request = request(path, token).method(method, body);
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return send(request);
    }

    /** A request with extra headers, such as {@code If-Match}. */
    public Reply method(String method, String path, String token, String json, java.util.Map<String, String> headers) {
        HttpRequest.BodyPublisher body = json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json);
        HttpRequest.Builder request = request(path, token).method(method, body);
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return send(request);
    }

    public Reply postBytes(String path, String token, String contentType, byte[] bytes) {
        return bytes("POST", path, token, contentType, bytes);
    }

    public Reply bytes(String method, String path, String token, String contentType, byte[] bytes) {
        return send(request(path, token).header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(bytes)));
    }

    /** Any request, with only the headers given (no token): e.g. a browser's cookie and CSRF header. */
    public Reply send(String method, String path, java.util.Map<String, String> headers, String contentType, byte[] body) {
        HttpRequest.Builder request = request(path, null)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        headers.forEach(request::header);
        return send(request);
    }

    private HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60));
        Optional.ofNullable(token).ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        return builder;
    }

    private Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body(), response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
