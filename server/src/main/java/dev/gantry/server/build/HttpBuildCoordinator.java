package dev.gantry.server.build;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.plugin.api.scm.ScmCredentials;
import dev.gantry.server.artifact.ArtifactDigest;
import dev.gantry.server.http.Json;
import dev.gantry.server.pipeline.PipelineDefinition;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BuildCoordinator} for an agent on another machine: each operation is a call of the server's agent protocol
 * ({@code /api/agent}, docs/agents.md) with the agent token. A call that fails on the way (the server restarting,
 * the network gone for a moment) is retried with backoff for up to {@link #RETRY_FOR}, so a short outage loses
 * neither log lines nor the outcome; 409 {@code lease_lost} means the build is no longer this agent's.
 */
public final class HttpBuildCoordinator implements BuildCoordinator {
    private static final Logger log = LoggerFactory.getLogger(HttpBuildCoordinator.class);
    static final Duration RETRY_FOR = Duration.ofSeconds(60);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(30);
    private static final ObjectMapper MAPPER = Json.mapper().copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final URI server;
    private final String token;
    private final String name;
    private final int slots;
    private final String version;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    HttpBuildCoordinator(URI server, String token, String name, int slots, String version) {
        this.server = server;
        this.token = token;
        this.name = name;
        this.slots = slots;
        this.version = version;
    }

    /** The server refused the agent itself (its token was deleted, or is not an agent token): retrying cannot help. */
    public static final class AgentRefused extends RuntimeException {
        AgentRefused(String message) {
            super(message);
        }
    }

    /** An answer that is neither success nor lease_lost, in the server's words. */
    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    private record Answer(int status, JsonNode body) {
        boolean leaseLost() {
            return status == 409 && "lease_lost".equals(body.path("error").asText());
        }

        boolean storeUnavailable() {
            return status == 503 && AgentResource.STORE_UNAVAILABLE.equals(body.path("error").asText());
        }
    }

    /**
     * Introduces the agent; retried until the server answers, since agents and servers start in any order. Answers
     * the server's build settings.
     */
    JsonNode hello(Set<String> labels) throws InterruptedException {
        ObjectNode body = MAPPER.createObjectNode().put("name", name).put("slots", slots).put("version", version);
        labels.forEach(body.putArray("labels")::add);
        long backoffMillis = 500;
        while (true) {
            try {
                Answer answer = post("/api/agent/hello", body, REQUEST_TIMEOUT);
                if (answer.status() < 500) {
                    check(answer);
                    return answer.body();
                }
                log.warn("The server {} answered HTTP {}; trying again in {} ms", server, answer.status(), backoffMillis);
            } catch (IOException e) {
                log.warn("Cannot reach the server {} ({}); trying again in {} ms", server, describe(e), backoffMillis);
            }
            Thread.sleep(backoffMillis);
            backoffMillis = Math.min(backoffMillis * 2, 10_000);
        }
    }

    @Override
    public Optional<BuildLease> claim(String agentId, Set<String> labels, Duration wait) throws InterruptedException {
        ObjectNode body = MAPPER.createObjectNode().put("name", name).put("slots", slots).put("version", version)
                .put("wait_seconds", wait.toSeconds());
        labels.forEach(body.putArray("labels")::add);
        Answer answer = once(() -> post("/api/agent/claim", body, wait.plus(REQUEST_TIMEOUT)));
        if (answer.status() == 204) {
            return Optional.empty();
        }
        JsonNode lease = answer.body();
        return Optional.of(new BuildLease(lease.path("build_id").asText(), lease.path("agent_id").asText(),
                lease.path("lease_token").asLong(), lease.path("attempt").asInt(), lease.path("repo_id").asText(),
                lease.path("commit_sha").asText(), lease.path("branch").asText(), lease.path("log_lines").asLong(),
                lease.path("log_bytes").asLong()));
    }

    @Override
    public Heartbeat heartbeat(BuildLease lease) {
        try {
            Answer answer = once(() -> post(path(lease, "heartbeat"), leaseBody(lease), REQUEST_TIMEOUT));
            return new Heartbeat(answer.body().path("lease_held").asBoolean(), answer.body().path("cancel_requested").asBoolean());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Heartbeat(true, false); // unknown: the next heartbeat tells
        }
    }

    @Override
    public BuildSource source(BuildLease lease) throws BuildFailure {
        JsonNode source = forBuild(lease, () -> post(path(lease, "source"), leaseBody(lease), REQUEST_TIMEOUT));
        JsonNode credentials = source.path("credentials");
        Optional<ScmCredentials> scm = credentials.isObject()
                ? Optional.of(new ScmCredentials(text(credentials, "username"), text(credentials, "token"),
                        text(credentials, "ssh_private_key")))
                : Optional.empty();
        return new BuildSource(source.path("repo").asText(), source.path("url").asText(), source.path("provider").asText(), scm);
    }

    @Override
    public PipelineAccepted pipelineRead(BuildLease lease, PipelineDefinition pipeline) throws BuildFailure {
        ObjectNode body = leaseBody(lease);
        body.set("pipeline", MAPPER.valueToTree(pipeline));
        JsonNode accepted = forBuild(lease, () -> post(path(lease, "pipeline"), body, REQUEST_TIMEOUT));
        Map<String, String> secrets = new LinkedHashMap<>();
        accepted.path("secrets").fields().forEachRemaining(entry -> secrets.put(entry.getKey(), entry.getValue().asText()));
        List<String> cancelled = new ArrayList<>();
        accepted.path("cancelled_builds").forEach(id -> cancelled.add(id.asText()));
        return new PipelineAccepted(secrets, cancelled);
    }

    @Override
    public boolean progress(BuildLease lease, String status, String stagesJson) {
        ObjectNode body = leaseBody(lease).put("status", status);
        body.set("stages", tree(stagesJson));
        return held(() -> post(path(lease, "progress"), body, REQUEST_TIMEOUT));
    }

    @Override
    public boolean appendLog(BuildLease lease, long firstLine, List<String> lines, long bytes, boolean truncated) {
        ObjectNode body = leaseBody(lease).put("first_line", firstLine).put("bytes", bytes).put("truncated", truncated);
        lines.forEach(body.putArray("lines")::add);
        return held(() -> post(path(lease, "log"), body, REQUEST_TIMEOUT));
    }

    @Override
    public StoredArtifact storeArtifact(BuildLease lease, ArtifactDigest digest, Path bundle, String commitSha,
                                        Optional<String> service) throws BuildFailure, StoreUnavailable {
        StringBuilder query = new StringBuilder("?lease_token=").append(lease.token())
                .append("&digest=").append(encode(digest.toString())).append("&commit_sha=").append(encode(commitSha));
        service.ifPresent(value -> query.append("&service=").append(encode(value)));
        JsonNode stored = forBuild(lease, () -> {
            HttpRequest.BodyPublisher file;
            try {
                file = HttpRequest.BodyPublishers.ofFile(bundle);
            } catch (FileNotFoundException e) {
                throw new IOException("the packaged artifact " + bundle + " is gone", e);
            }
            return send(request(path(lease, "artifact") + query, UPLOAD_TIMEOUT)
                    .header("Content-Type", "application/octet-stream").PUT(file).build());
        }, true);
        return new StoredArtifact(stored.path("size_bytes").asLong(), stored.path("created").asBoolean());
    }

    @Override
    public boolean finish(BuildLease lease, String status, Optional<String> failureReason, Optional<String> artifactDigest,
                          String stagesJson) {
        ObjectNode body = leaseBody(lease).put("status", status);
        failureReason.ifPresent(reason -> body.put("failure_reason", reason));
        artifactDigest.ifPresent(digest -> body.put("artifact_sha", digest));
        body.set("stages", tree(stagesJson));
        return held(() -> post(path(lease, "finish"), body, REQUEST_TIMEOUT));
    }

    @Override
    public boolean handBack(BuildLease lease, Optional<List<String>> requiredLabels) {
        ObjectNode body = leaseBody(lease);
        requiredLabels.ifPresent(labels -> labels.forEach(body.putArray("required_labels")::add));
        return held(() -> post(path(lease, "hand-back"), body, REQUEST_TIMEOUT));
    }

    @FunctionalInterface
    private interface Exchange {
        Answer call() throws IOException, InterruptedException;
    }

    /** One try: a failure on the way is the caller's to handle (a claim or heartbeat simply comes again). */
    private Answer once(Exchange exchange) throws InterruptedException {
        try {
            Answer answer = exchange.call();
            check(answer);
            return answer;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot reach " + server + ": " + describe(e), e);
        }
    }

    /** A call about a build, retried through outages; true unless the lease is lost. */
    private boolean held(Exchange exchange) {
        try {
            Answer answer = retrying(exchange);
            if (answer.leaseLost()) {
                return false;
            }
            check(answer);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling " + server, e);
        }
    }

    /** A call whose answer the build needs; a lost lease or a refusal fails the build with the server's words. */
    private JsonNode forBuild(BuildLease lease, Exchange exchange) throws BuildFailure {
        try {
            return forBuild(lease, exchange, false);
        } catch (StoreUnavailable e) {
            throw new IllegalStateException("not an artifact upload", e);
        }
    }

    /** {@link #forBuild(BuildLease, Exchange)}; {@code storing}: the server's 503 for its artifact store is for the caller. */
    private JsonNode forBuild(BuildLease lease, Exchange exchange, boolean storing) throws BuildFailure, StoreUnavailable {
        Answer answer;
        try {
            answer = retrying(exchange);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildFailure("interrupted while calling the server", e);
        } catch (java.io.UncheckedIOException e) {
            throw new BuildFailure(e.getMessage(), e);
        }
        if (answer.leaseLost()) {
            throw new BuildFailure("this agent lost the lease of build " + lease.buildId());
        }
        if (storing && answer.storeUnavailable()) {
            throw new StoreUnavailable(answer.body().path("message").asText());
        }
        try {
            check(answer);
        } catch (Refused e) {
            throw new BuildFailure(e.getMessage(), e);
        }
        return answer.body();
    }

    private Answer retrying(Exchange exchange) throws InterruptedException {
        long deadline = System.nanoTime() + RETRY_FOR.toNanos();
        long backoffMillis = 200;
        while (true) {
            String problem;
            try {
                Answer answer = exchange.call();
                if (answer.status() < 500 || answer.storeUnavailable()) {
                    return answer; // the builder waits for the artifact store itself, and says so in the build's log
                }
                problem = "HTTP " + answer.status() + " " + answer.body().path("message").asText("");
            } catch (IOException e) {
                problem = describe(e);
            }
            if (System.nanoTime() + backoffMillis * 1_000_000 > deadline) {
                throw new java.io.UncheckedIOException(new IOException("the server " + server + " did not answer for "
                        + RETRY_FOR.toSeconds() + " s: " + problem));
            }
            log.warn("Call to {} failed ({}); retrying in {} ms", server, problem, backoffMillis);
            Thread.sleep(backoffMillis);
            backoffMillis = Math.min(backoffMillis * 2, 5_000);
        }
    }

    private static void check(Answer answer) {
        if (answer.status() / 100 == 2) {
            return;
        }
        String message = answer.body().path("message").asText("HTTP " + answer.status());
        if (answer.status() == 401 || answer.status() == 403) {
            throw new AgentRefused("the server refused this agent: " + message);
        }
        throw new Refused(message);
    }

    private Answer post(String path, JsonNode body, Duration timeout) throws IOException, InterruptedException {
        return send(request(path, timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
    }

    private Answer send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        String text = response.body();
        JsonNode body;
        try {
            body = text == null || text.isBlank() ? MAPPER.missingNode() : MAPPER.readTree(text);
        } catch (IOException e) {
            body = MAPPER.createObjectNode().put("message", "HTTP " + response.statusCode() + ", not JSON: "
                    + text.substring(0, Math.min(200, text.length())));
        }
        return new Answer(response.statusCode(), body);
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        return HttpRequest.newBuilder(server.resolve(path)).timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .header("User-Agent", "gantry-agent/" + version);
    }

    private static String path(BuildLease lease, String operation) {
        return "/api/agent/builds/" + encode(lease.buildId()) + "/" + operation;
    }

    private static ObjectNode leaseBody(BuildLease lease) {
        return MAPPER.createObjectNode().put("lease_token", lease.token());
    }

    private static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + json, e);
        }
    }

    private static Optional<String> text(JsonNode node, String field) {
        return node.hasNonNull(field) ? Optional.of(node.get(field).asText()) : Optional.empty();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String describe(IOException e) {
        Throwable cause = e;
        while (cause.getCause() != null && (cause.getMessage() == null || cause.getMessage().isBlank())) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null && !cause.getMessage().isBlank() ? cause.getMessage() : cause.getClass().getSimpleName();
    }
}
