package dev.gantry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The REST API as the client commands call it: JSON in and out, the token as {@code Authorization: Bearer}. An answer
 * that is not a success becomes an {@link ApiError}; a server that cannot be reached a {@link CliException} with exit
 * code 6.
 */
public final class ApiClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    /** A plugin upload carries a zip of some MiB and starts the plugin before it answers. */
    private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(5);

    private final Connection connection;
    private final HttpClient http;
    private final String userAgent;

    public ApiClient(Connection connection, String version) {
        this.connection = connection;
        // HTTP/1.1: the server's event streams and most proxies in front of it speak it
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
        this.userAgent = "gantry-cli/" + version;
    }

    /** A successful answer: its status, headers and JSON body (a missing node when it had none, as a 204). */
    public record Reply(int status, HttpHeaders headers, JsonNode json) {
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    public URI server() {
        return connection.server();
    }

    public JsonNode get(String path) {
        return send(request(path, REQUEST_TIMEOUT).GET(), Map.of()).json();
    }

    /** GET with the answer's headers, such as a flag's {@code ETag}. */
    public Reply getReply(String path) {
        return send(request(path, REQUEST_TIMEOUT).GET(), Map.of());
    }

    /** POST with a JSON body, or none when {@code body} is null. */
    public Reply post(String path, JsonNode body) {
        return send(withJson(request(path, REQUEST_TIMEOUT), "POST", body), Map.of());
    }

    /** POST of an action that takes no input ({@code cancel}, {@code enable} ...), with an empty JSON object. */
    public Reply action(String path) {
        return post(path, Json.MAPPER.createObjectNode());
    }

    public Reply put(String path, JsonNode body, Map<String, String> headers) {
        return send(withJson(request(path, REQUEST_TIMEOUT), "PUT", body), headers);
    }

    public Reply delete(String path) {
        return send(request(path, REQUEST_TIMEOUT).DELETE(), Map.of());
    }

    /** POST of a file's bytes, such as a plugin zip. */
    public Reply postFile(String path, Path file, String contentType) {
        HttpRequest.BodyPublisher body;
        try {
            body = HttpRequest.BodyPublishers.ofFile(file);
        } catch (java.io.FileNotFoundException e) {
            throw new CliException(ExitCodes.USAGE, file + " does not exist or cannot be read");
        }
        return send(request(path, UPLOAD_TIMEOUT).header("Content-Type", contentType).POST(body), Map.of());
    }

    /**
     * Opens a server-sent event stream; the caller reads and closes it. {@code lastEventId} (or null) resumes after
     * that event. No request timeout: the stream stays open as long as the server sends (it sends heartbeats).
     */
    public InputStream events(String path, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .header("Authorization", "Bearer " + connection.token())
                .header("User-Agent", userAgent)
                .header("Accept", "text/event-stream")
                .GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> response = exchange(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() / 100 != 2) {
            try (InputStream body = response.body()) {
                throw ApiError.of(response.statusCode(), new String(body.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw ApiError.of(response.statusCode(), "");
            }
        }
        return response.body();
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        return HttpRequest.newBuilder(uri(path))
                .timeout(timeout)
                .header("Authorization", "Bearer " + connection.token())
                .header("User-Agent", userAgent)
                .header("Accept", "application/json");
    }

    private static HttpRequest.Builder withJson(HttpRequest.Builder request, String method, JsonNode body) {
        if (body == null) {
            return request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return request.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(Json.compact(body)));
    }

    private Reply send(HttpRequest.Builder builder, Map<String, String> headers) {
        headers.forEach(builder::header);
        HttpResponse<String> response = exchange(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() / 100 != 2) {
            throw ApiError.of(response.statusCode(), response.body());
        }
        String body = response.body();
        if (body == null || body.isBlank()) {
            return new Reply(response.statusCode(), response.headers(), Json.MAPPER.missingNode());
        }
        try {
            return new Reply(response.statusCode(), response.headers(), Json.MAPPER.readTree(body));
        } catch (IOException e) {
            throw new CliException(ExitCodes.SERVER, "the answer from " + response.uri()
                    + " is not JSON; is " + server() + " a Gantry server?");
        }
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (HttpConnectTimeoutException e) {
            throw new CliException(ExitCodes.SERVER, "cannot reach " + server() + ": no connection within " + CONNECT_TIMEOUT.toSeconds() + "s", e);
        } catch (HttpTimeoutException e) {
            throw new CliException(ExitCodes.SERVER, "no answer from " + server() + " within " + request.timeout()
                    .map(Duration::toSeconds).orElse(0L) + "s (" + request.method() + " " + request.uri().getRawPath() + ")", e);
        } catch (ConnectException e) {
            throw new CliException(ExitCodes.SERVER, "cannot reach " + server() + ": connection refused; is the server running?", e);
        } catch (IOException e) {
            throw new CliException(ExitCodes.SERVER, "cannot talk to " + server() + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.SERVER, "interrupted while calling " + server(), e);
        }
    }

    private static String describe(IOException e) {
        Throwable cause = e;
        while (cause.getCause() != null && (cause.getMessage() == null || cause.getMessage().isBlank())) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null && !cause.getMessage().isBlank() ? cause.getMessage() : cause.getClass().getSimpleName();
    }

    private URI uri(String path) {
        return connection.server().resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    /** One path segment from user input (an id, a key): encoded, so it can never add segments or a query. */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code path} with the query parameters whose values are not null. */
    public static String withQuery(String path, Map<String, ?> parameters) {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        parameters.forEach((name, value) -> {
            if (value != null) {
                query.add(name + "=" + URLEncoder.encode(value.toString(), StandardCharsets.UTF_8));
            }
        });
        return path + query;
    }

    /** Ordered parameters for {@link #withQuery}: {@code params("repo", repo, "status", status)}. */
    public static Map<String, Object> params(Object... namesAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }
}
