package dev.gantry.server.build;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.plugin.api.scm.ScmCredentials;
import dev.gantry.server.artifact.ArtifactDigest;
import dev.gantry.server.auth.AgentPrincipal;
import dev.gantry.server.auth.AgentTokenOnly;
import dev.gantry.server.auth.Authentication;
import dev.gantry.server.http.ApiException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The build agents' protocol (docs/agents.md): {@link BuildCoordinator}'s operations over HTTP, for agents that hold
 * an agent token and never the database's credentials. A claim waits up to {@code wait_seconds} for a build. Every
 * call about a build names its lease token and answers 409 {@code lease_lost} once that lease is gone; an agent
 * can act only on builds leased to an agent of its own token.
 */
@Path("/api/agent")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@AgentTokenOnly
public class AgentResource {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");
    private static final int MAX_WAIT_SECONDS = 25;
    static final String STORE_UNAVAILABLE = "artifact_store_unavailable";

    private final ServerBuildCoordinator coordinator;
    private final AgentRegistry agents;
    private final BuildConfig config;

    @Inject
    public AgentResource(ServerBuildCoordinator coordinator, AgentRegistry agents, BuildConfig config) {
        this.coordinator = coordinator;
        this.agents = agents;
        this.config = config;
    }

    /** Who asks for work: the agent's name (unique per token), its labels and slots, and how long to wait. */
    public record ClaimRequest(String name, List<String> labels, Integer slots, String version, Integer waitSeconds) {
    }

    public record LeaseRepresentation(String buildId, String agentId, long leaseToken, int attempt, String repoId,
                                      String commitSha, String branch, long logLines, long logBytes) {
        static LeaseRepresentation of(BuildLease lease) {
            return new LeaseRepresentation(lease.buildId(), lease.agentId(), lease.token(), lease.attempt(), lease.repoId(),
                    lease.commitSha(), lease.branch(), lease.logLines(), lease.logBytes());
        }
    }

    /** What an agent needs to know of the server's build settings. */
    public record Welcome(String agentId, long logLimitBytes, int maxAttempts, long leaseTtlMs) {
    }

    /** An agent starting: checks its token, registers it, and tells it the server's build settings. */
    @POST
    @Path("/hello")
    public Welcome hello(@Context SecurityContext security, ClaimRequest body) {
        String agentId = register(security, body).agentId();
        return new Welcome(agentId, config.logLimitBytes(), config.maxAttempts(), config.leaseTtl().toMillis());
    }

    @POST
    @Path("/claim")
    public Response claim(@Context SecurityContext security, ClaimRequest body) throws InterruptedException {
        Registered agent = register(security, body);
        int wait = Math.max(0, Math.min(MAX_WAIT_SECONDS, Optional.ofNullable(body.waitSeconds()).orElse(MAX_WAIT_SECONDS)));
        Optional<BuildLease> lease = coordinator.claimForRemoteAgent(agent.agentId(), agent.labels(), Duration.ofSeconds(wait));
        return lease.isPresent() ? Response.ok(LeaseRepresentation.of(lease.get())).build() : Response.noContent().build();
    }

    private record Registered(String agentId, Set<String> labels) {
    }

    /** The agent's id is its token's id and its name, so an agent can only ever act on its own token's builds. */
    private Registered register(SecurityContext security, ClaimRequest body) {
        AgentPrincipal principal = Authentication.agent(security);
        if (body == null || body.name() == null) {
            throw ApiException.missingField("name");
        }
        if (!NAME.matcher(body.name()).matches()) {
            throw new ApiException(400, "invalid_field", "an agent's name is 1 to 100 letters, digits, '_', '.' or '-'",
                    Map.of("field", "name"));
        }
        Set<String> labels = new TreeSet<>();
        for (String label : Optional.ofNullable(body.labels()).orElse(List.of())) {
            if (label == null || !LABEL.matcher(label).matches()) {
                throw new ApiException(400, "invalid_field", "'" + label + "' is not a valid label: use 1 to 63 lowercase "
                        + "letters, digits, '_', '.' and '-'", Map.of("field", "labels"));
            }
            labels.add(label);
        }
        String agentId = principal.tokenId() + ":" + body.name();
        agents.seen(agentId, body.name(), principal.tokenId(), labels, Optional.ofNullable(body.slots()).orElse(1),
                Optional.ofNullable(body.version()).orElse("unknown"));
        return new Registered(agentId, labels);
    }

    public record LeaseToken(Long leaseToken) {
    }

    @POST
    @Path("/builds/{id}/heartbeat")
    public BuildCoordinator.Heartbeat heartbeat(@Context SecurityContext security, @PathParam("id") String id, LeaseToken body) {
        Optional<BuildLease> lease = find(security, id, body == null ? null : body.leaseToken());
        return lease.map(coordinator::heartbeat).orElse(new BuildCoordinator.Heartbeat(false, false));
    }

    public record Source(String repo, String url, String provider, Credentials credentials) {
    }

    public record Credentials(String username, String token, String sshPrivateKey) {
        static Credentials of(ScmCredentials credentials) {
            return new Credentials(credentials.username().orElse(null), credentials.token().orElse(null),
                    credentials.sshPrivateKey().orElse(null));
        }
    }

    @POST
    @Path("/builds/{id}/source")
    public Source source(@Context SecurityContext security, @PathParam("id") String id, LeaseToken body) {
        BuildLease lease = require(security, id, body == null ? null : body.leaseToken());
        BuildCoordinator.BuildSource source = failing(() -> coordinator.confirmedSource(lease));
        return new Source(source.repoName(), source.url(), source.provider(),
                source.credentials().map(Credentials::of).orElse(null));
    }

    public record PipelineRead(Long leaseToken, JsonNode pipeline) {
    }

    @POST
    @Path("/builds/{id}/pipeline")
    public BuildCoordinator.PipelineAccepted pipeline(@Context SecurityContext security, @PathParam("id") String id,
                                                      PipelineRead body) {
        BuildLease lease = require(security, id, body == null ? null : body.leaseToken());
        if (body.pipeline() == null || !body.pipeline().isObject()) {
            throw ApiException.missingField("pipeline");
        }
        List<String> secrets = new ArrayList<>();
        body.pipeline().path("secrets").forEach(name -> secrets.add(name.asText()));
        boolean cancelSuperseded = body.pipeline().path("cancel_superseded").asBoolean(false);
        return failing(() -> coordinator.pipelineRead(lease, body.pipeline().toString(), secrets, cancelSuperseded));
    }

    public record Progress(Long leaseToken, String status, JsonNode stages) {
    }

    @POST
    @Path("/builds/{id}/progress")
    public Response progress(@Context SecurityContext security, @PathParam("id") String id, Progress body) {
        BuildLease lease = require(security, id, body == null ? null : body.leaseToken());
        if (!"building".equals(body.status()) && !"testing".equals(body.status())) {
            throw new ApiException(400, "invalid_field", "status is building or testing", Map.of("field", "status"));
        }
        return held(coordinator.progress(lease, body.status(), stages(body.stages())));
    }

    public record LogChunk(Long leaseToken, Long firstLine, List<String> lines, Long bytes, Boolean truncated) {
    }

    @POST
    @Path("/builds/{id}/log")
    public Response log(@Context SecurityContext security, @PathParam("id") String id, LogChunk body) {
        BuildLease lease = require(security, id, body == null ? null : body.leaseToken());
        if (body.firstLine() == null || body.lines() == null) {
            throw ApiException.missingField(body.firstLine() == null ? "first_line" : "lines");
        }
        return held(coordinator.appendLog(lease, body.firstLine(), body.lines(), Optional.ofNullable(body.bytes()).orElse(0L),
                Boolean.TRUE.equals(body.truncated())));
    }

    @PUT
    @Path("/builds/{id}/artifact")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    public BuildCoordinator.StoredArtifact artifact(@Context SecurityContext security, @PathParam("id") String id,
                                                   @QueryParam("lease_token") Long leaseToken,
                                                   @QueryParam("digest") String digest,
                                                   @QueryParam("commit_sha") String commitSha,
                                                   @QueryParam("service") String service,
                                                   @HeaderParam("Content-Length") Long length, InputStream body) {
        BuildLease lease = require(security, id, leaseToken);
        if (digest == null || commitSha == null) {
            throw ApiException.missingField(digest == null ? "digest" : "commit_sha");
        }
        if (length == null) {
            throw new ApiException(411, "length_required", "send the artifact with a Content-Length");
        }
        ArtifactDigest parsed = ArtifactDigest.parse(digest);
        return failing(() -> coordinator.storeArtifact(lease, parsed, body, length, commitSha, Optional.ofNullable(service)));
    }

    public record Finish(Long leaseToken, String status, String failureReason, String artifactSha, JsonNode stages) {
    }

    @POST
    @Path("/builds/{id}/finish")
    public Response finish(@Context SecurityContext security, @PathParam("id") String id, Finish body) {
        BuildLease lease = require(security, id, body == null ? null : body.leaseToken());
        if (!Set.of("passed", "failed", "cancelled").contains(body.status())) {
            throw new ApiException(400, "invalid_field", "status is passed, failed or cancelled", Map.of("field", "status"));
        }
        Optional<String> artifact = Optional.ofNullable(body.artifactSha()).map(sha -> ArtifactDigest.parse(sha).toString());
        return held(coordinator.finish(lease, body.status(), Optional.ofNullable(body.failureReason()), artifact,
                stages(body.stages())));
    }

    public record HandBack(Long leaseToken, List<String> requiredLabels) {
    }

    @POST
    @Path("/builds/{id}/hand-back")
    public Response handBack(@Context SecurityContext security, @PathParam("id") String id, HandBack body) {
        BuildLease lease = require(security, id, body == null ? null : body.leaseToken());
        Optional<List<String>> labels = Optional.ofNullable(body.requiredLabels());
        labels.ifPresent(list -> list.forEach(label -> {
            if (label == null || !LABEL.matcher(label).matches()) {
                throw new ApiException(400, "invalid_field", "'" + label + "' is not a valid label", Map.of("field", "required_labels"));
            }
        }));
        return held(coordinator.handBack(lease, labels));
    }

    /** The lease, if it is still held by an agent of the caller's token. */
    private Optional<BuildLease> find(SecurityContext security, String buildId, Long token) {
        if (token == null) {
            throw ApiException.missingField("lease_token");
        }
        String prefix = Authentication.agent(security).tokenId() + ":";
        return coordinator.lease(buildId, token).filter(lease -> lease.agentId() != null && lease.agentId().startsWith(prefix));
    }

    private BuildLease require(SecurityContext security, String buildId, Long token) {
        return find(security, buildId, token).orElseThrow(AgentResource::leaseLost);
    }

    private static Response held(boolean held) {
        if (!held) {
            throw leaseLost();
        }
        return Response.noContent().build();
    }

    private static ApiException leaseLost() {
        return new ApiException(409, "lease_lost", "this agent no longer holds the build's lease: it was cancelled, "
                + "finished, or given to another agent after this one stopped renewing it");
    }

    private static String stages(JsonNode stages) {
        if (stages == null || !stages.isArray()) {
            throw ApiException.missingField("stages");
        }
        return stages.toString();
    }

    @FunctionalInterface
    private interface Call<T> {
        T call() throws BuildFailure, BuildCoordinator.StoreUnavailable;
    }

    /**
     * A build failure the server found (a missing secret, a refused artifact) goes back to the agent to fail the
     * build; an artifact store that cannot be reached is 503 {@code artifact_store_unavailable}, which the agent tries
     * again.
     */
    private static <T> T failing(Call<T> call) {
        try {
            return call.call();
        } catch (BuildFailure e) {
            throw new ApiException(422, "build_failure", e.getMessage());
        } catch (BuildCoordinator.StoreUnavailable e) {
            throw new ApiException(503, STORE_UNAVAILABLE, e.getMessage());
        }
    }
}
