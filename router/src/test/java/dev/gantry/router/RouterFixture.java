package dev.gantry.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** HTTP helpers for the router's two sides. */
class RouterFixture {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpRequest.Builder admin(int adminPort, String token, String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path));
        return token == null ? builder : builder.header("Authorization", "Bearer " + token);
    }

    static HttpResponse<String> putState(int adminPort, String token, String body) {
        return send(admin(adminPort, token, "/admin/state").PUT(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json"));
    }

    static HttpResponse<String> proxied(int listenPort, String path, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listenPort + path));
        headers.forEach(builder::header);
        return send(builder.GET());
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {"fence": f, "versions": {name: {"weight": w, "backends": [b]}, ...}} from (name, weight, backend) triples. */
    static String state(long fence, Object... versionWeightBackend) {
        StringBuilder out = new StringBuilder("{\"fence\": " + fence + ", \"versions\": {");
        for (int i = 0; i < versionWeightBackend.length; i += 3) {
            if (i > 0) {
                out.append(", ");
            }
            Object backend = versionWeightBackend[i + 2];
            String backends = backend == null ? "[]" : "[\"" + backend + "\"]";
            out.append('"').append(versionWeightBackend[i]).append("\": {\"weight\": ").append(versionWeightBackend[i + 1])
                    .append(", \"backends\": ").append(backends).append('}');
        }
        return out.append("}}").toString();
    }
}
