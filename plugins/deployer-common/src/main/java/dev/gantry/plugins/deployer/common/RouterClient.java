package dev.gantry.plugins.deployer.common;

import dev.gantry.plugin.api.deploy.DeployerException;
import dev.gantry.plugin.api.deploy.StaleFenceException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Talks to one running router over its admin API: {@code 127.0.0.1:<admin_port>} with the bearer token from its
 * {@code admin.json}. The token is a credential and appears in no message.
 */
public final class RouterClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** A state change waits until the backends it removes have no request in flight: up to 5 s more. */
    private static final Duration PUT_STATE_TIMEOUT = Duration.ofSeconds(15);
    /** Samples can run to millions for a long window; they take longer to send than a state document. */
    private static final Duration SAMPLES_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient httpClient;
    private final Admin admin;

    public RouterClient(HttpClient httpClient, Admin admin) {
        this.httpClient = httpClient;
        this.admin = admin;
    }

    /** What a router writes to {@code <state dir>/admin.json} once it listens. */
    public record Admin(long pid, int listenPort, int adminPort, String token) {
        public static Optional<Admin> read(Path routerDir) {
            Path file = routerDir.resolve("admin.json");
            try {
                Map<String, Object> json = Json.parseObject(Files.readString(file, StandardCharsets.UTF_8));
                return Optional.of(new Admin(Json.number(json, "pid"), (int) Json.number(json, "listen_port"),
                        (int) Json.number(json, "admin_port"), Json.string(json, "admin_token")));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException | IllegalArgumentException e) {
                // being written, or left half-written by a router that died: as good as none
                return Optional.empty();
            }
        }
    }

    /** Per version: its weight and backends ({@code 127.0.0.1:<port>}), as the router's state holds them. */
    public record VersionState(int weight, List<String> backends) {
        public VersionState {
            backends = List.copyOf(backends);
        }
    }

    public Admin admin() {
        return admin;
    }

    public boolean healthy() {
        try {
            return send(request("/admin/health").timeout(Duration.ofSeconds(2)).GET()).statusCode() == 200;
        } catch (DeployerException e) {
            return false;
        }
    }

    /** The versions the router routes to now, by name. */
    public Map<String, VersionState> state() {
        HttpResponse<String> response = send(request("/admin/state").GET());
        if (response.statusCode() != 200) {
            throw failure("reading the router's state", response);
        }
        Map<String, Object> json = parse(response.body());
        Map<String, VersionState> versions = new TreeMap<>();
        Json.object(json, "versions").forEach((name, value) -> {
            if (value instanceof Map<?, ?> version) {
                @SuppressWarnings("unchecked")
                Map<String, Object> fields = (Map<String, Object>) version;
                List<String> backends = new ArrayList<>();
                for (Object backend : Json.array(fields, "backends")) {
                    backends.add(String.valueOf(backend));
                }
                versions.put(name, new VersionState((int) Json.number(fields, "weight"), backends));
            }
        });
        return versions;
    }

    /**
     * Replaces the router's whole state in one step. The router keeps the highest fence it was given and refuses a
     * lower one, as the deployer does: {@link StaleFenceException} then. Returns once the backends left out have
     * finished the requests they had (5 s at most), so they may be stopped.
     */
    public void putState(long fence, Map<String, VersionState> versions) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("fence", fence);
        Map<String, Object> byName = new TreeMap<>();
        versions.forEach((name, version) -> {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("weight", version.weight());
            fields.put("backends", version.backends());
            byName.put(name, fields);
        });
        body.put("versions", byName);
        HttpResponse<String> response = send(request("/admin/state")
                .timeout(PUT_STATE_TIMEOUT)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8)));
        if (response.statusCode() == 409) {
            throw new StaleFenceException("the router refused the change: it has seen a higher fencing token than "
                    + fence + " (another controller drives this target now)");
        }
        if (response.statusCode() != 200) {
            throw failure("setting the router's state", response);
        }
    }

    /** One request the router proxied: when it completed, how long it took, and the status it answered. */
    public record RequestSample(Instant at, double latencyMs, int status) {
    }

    /** The version's requests that completed in [{@code from}, {@code to}). */
    public List<RequestSample> samples(String version, Instant from, Instant to) {
        String query = "?version=" + URLEncoder.encode(version, StandardCharsets.UTF_8)
                + "&from=" + from.toEpochMilli() + "&to=" + to.toEpochMilli();
        HttpResponse<String> response = send(request("/admin/samples" + query).timeout(SAMPLES_TIMEOUT).GET());
        if (response.statusCode() != 200) {
            throw failure("reading samples of version " + version, response);
        }
        List<double[]> rows;
        try {
            rows = Json.numberRows(response.body(), "samples");
        } catch (IllegalArgumentException e) {
            throw new DeployerException("the router answered samples in an unexpected form: " + e.getMessage());
        }
        List<RequestSample> samples = new ArrayList<>(rows.size());
        for (double[] row : rows) {
            if (row.length < 3) {
                throw new DeployerException("the router answered a sample with " + row.length
                        + " fields; expected [epoch ms, latency ms, status]");
            }
            samples.add(new RequestSample(Instant.ofEpochMilli((long) row[0]), row[1], (int) row[2]));
        }
        return samples;
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.adminPort() + pathAndQuery))
                .version(HttpClient.Version.HTTP_1_1)
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + admin.token());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return httpClient.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new DeployerException("the router's admin API on 127.0.0.1:" + admin.adminPort() + " (pid "
                    + admin.pid() + ") does not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeployerException("interrupted while talking to the router");
        }
    }

    private static Map<String, Object> parse(String body) {
        try {
            return Json.parseObject(body);
        } catch (IllegalArgumentException e) {
            throw new DeployerException("the router answered something that is not a JSON object: " + e.getMessage());
        }
    }

    private DeployerException failure(String what, HttpResponse<String> response) {
        String detail = abbreviate(response.body() == null ? "" : response.body().strip());
        try {
            Map<String, Object> error = Json.parseObject(response.body());
            if (error.get("message") instanceof String message) {
                detail = error.get("error") + ": " + message;
            }
        } catch (IllegalArgumentException notJson) {
            // the raw body it is
        }
        return new DeployerException(what + " failed: the router answered HTTP " + response.statusCode()
                + (detail.isEmpty() ? "" : " (" + detail + ")"));
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "…";
    }
}
