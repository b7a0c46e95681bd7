package dev.gantry.server.build;

import dev.gantry.plugin.api.notify.Notification;
import dev.gantry.server.artifact.ArtifactDigest;
import dev.gantry.server.artifact.ArtifactService;
import dev.gantry.server.auth.Caller;
import dev.gantry.server.auth.Role;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.http.Json;
import dev.gantry.server.notify.NotificationService;
import dev.gantry.server.persistence.Notifications;
import dev.gantry.server.pipeline.PipelineDefinition;
import dev.gantry.server.scm.Repository;
import dev.gantry.server.scm.RepositoryService;
import dev.gantry.server.secrets.SecretService;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of {@link BuildCoordinator}, over the build queue in PostgreSQL: the in-process agent calls it
 * directly and {@code AgentResource} on behalf of remote agents, so both get the same rules. A claim that finds
 * nothing waits for the queue's notification (a build queued on any replica) rather than polling.
 */
public class ServerBuildCoordinator implements BuildCoordinator {
    private static final Logger log = LoggerFactory.getLogger(ServerBuildCoordinator.class);

    private final BuildQueue queue;
    private final BuildService builds;
    private final RepositoryService repositories;
    private final SecretService secrets;
    private final ArtifactService artifacts;
    private final NotificationService notifications;
    private final BuildPassedListener passed;
    private final Object queueChanged = new Object();
    private long queueChanges;

    @Inject
    public ServerBuildCoordinator(BuildQueue queue, BuildService builds, RepositoryService repositories,
                                  SecretService secrets, ArtifactService artifacts, NotificationService notifications,
                                  BuildPassedListener passed, Notifications feed) {
        this.queue = queue;
        this.builds = builds;
        this.repositories = repositories;
        this.secrets = secrets;
        this.artifacts = artifacts;
        this.notifications = notifications;
        this.passed = passed;
        // a null payload (the feed reconnected, announcements may be lost) wakes every waiter too
        feed.subscribe(BuildQueue.QUEUE_CHANNEL, payload -> {
            synchronized (queueChanged) {
                queueChanges++;
                queueChanged.notifyAll();
            }
        });
    }

    /** A claim answered in this process, to the in-process agent: nothing can lose it on its way, so it is confirmed. */
    @Override
    public Optional<BuildLease> claim(String agentId, Set<String> labels, Duration wait) throws InterruptedException {
        return claim(agentId, labels, wait, true);
    }

    /** A remote agent's claim, answered over HTTP: its first call about the build confirms it ({@link #confirmedSource}). */
    public Optional<BuildLease> claimForRemoteAgent(String agentId, Set<String> labels, Duration wait)
            throws InterruptedException {
        return claim(agentId, labels, wait, false);
    }

    private Optional<BuildLease> claim(String agentId, Set<String> labels, Duration wait, boolean confirmed)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long seen;
            synchronized (queueChanged) {
                seen = queueChanges;
            }
            Optional<BuildLease> lease = queue.claim(agentId, labels, confirmed);
            if (lease.isPresent()) {
                return lease;
            }
            synchronized (queueChanged) {
                long remaining;
                while (queueChanges == seen && (remaining = deadline - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(queueChanged, remaining);
                }
                if (queueChanges == seen) {
                    return Optional.empty();
                }
            }
        }
    }

    /** The lease {@code token} of a running build, as its agent holds it; empty when that lease is no longer held. */
    public Optional<BuildLease> lease(String buildId, long token) {
        return queue.lease(buildId, token);
    }

    @Override
    public Heartbeat heartbeat(BuildLease lease) {
        return queue.heartbeat(lease);
    }

    /** A remote agent's first call about a claimed build: it confirms the claim, then answers {@link #source}. */
    public BuildSource confirmedSource(BuildLease lease) throws BuildFailure {
        if (!queue.confirm(lease)) {
            throw new BuildFailure("this agent lost the lease of build " + lease.buildId());
        }
        return source(lease);
    }

    @Override
    public BuildSource source(BuildLease lease) throws BuildFailure {
        Repository repository;
        try {
            repository = repositories.byId(lease.repoId());
        } catch (ApiException e) {
            throw new BuildFailure("the build's repository is gone: " + e.getMessage(), e);
        }
        try {
            return new BuildSource(repository.name(), repository.url(), repository.provider(),
                    repositories.checkoutCredentials(repository));
        } catch (IllegalStateException e) {
            throw new BuildFailure(e.getMessage(), e);
        }
    }

    @Override
    public PipelineAccepted pipelineRead(BuildLease lease, PipelineDefinition pipeline) throws BuildFailure {
        return pipelineRead(lease, Json.write(pipeline), pipeline.secrets(), pipeline.cancelSuperseded());
    }

    /** {@link #pipelineRead(BuildLease, PipelineDefinition)} for a pipeline an agent sent as JSON. */
    public PipelineAccepted pipelineRead(BuildLease lease, String pipelineJson, List<String> secretNames,
                                         boolean cancelSuperseded) throws BuildFailure {
        queue.recordPipeline(lease, pipelineJson);
        Map<String, String> values = new LinkedHashMap<>();
        if (!secretNames.isEmpty()) {
            Repository repository = repositories.byId(lease.repoId());
            for (String name : secretNames) {
                String value = secrets.reveal(repository.secretScope(), name).orElseThrow(() -> new BuildFailure(
                        "pipeline.yaml asks for the secret '" + name + "', which is not set for " + repository.secretScope()
                                + " (an admin sets it with PUT /api/secrets)"));
                values.put(name, value);
            }
        }
        List<String> cancelled = cancelSuperseded
                ? builds.cancelSuperseded(lease.repoId(), lease.branch(), lease.buildId()) : List.of();
        return new PipelineAccepted(values, cancelled);
    }

    @Override
    public boolean progress(BuildLease lease, String status, String stagesJson) {
        return queue.progress(lease, status, stagesJson);
    }

    @Override
    public boolean appendLog(BuildLease lease, long firstLine, List<String> lines, long bytes, boolean truncated) {
        return queue.appendLog(lease, firstLine, lines, bytes, truncated);
    }

    @Override
    public StoredArtifact storeArtifact(BuildLease lease, ArtifactDigest digest, Path bundle, String commitSha,
                                        Optional<String> service) throws BuildFailure, StoreUnavailable {
        try (InputStream in = Files.newInputStream(bundle)) {
            return storeArtifact(lease, digest, in, Files.size(bundle), commitSha, service);
        } catch (IOException e) {
            throw new BuildFailure("cannot store the artifact: " + e.getMessage(), e);
        }
    }

    /** Stores an artifact streamed from an agent; the store checks that the bytes hash to {@code digest}. */
    public StoredArtifact storeArtifact(BuildLease lease, ArtifactDigest digest, InputStream body, long size,
                                        String commitSha, Optional<String> service) throws BuildFailure, StoreUnavailable {
        Caller builder = new Caller("build", "build " + lease.buildId(), Role.DEVELOPER, "none");
        ArtifactService.Provenance provenance = new ArtifactService.Provenance(Optional.of(lease.buildId()),
                Optional.of(commitSha), service);
        try {
            ArtifactService.Stored stored = artifacts.store(builder, digest, body, size, provenance);
            return new StoredArtifact(stored.sizeBytes(), stored.created());
        } catch (ApiException e) {
            if (e.status() == 503) {
                throw new StoreUnavailable(e.getMessage());
            }
            throw new BuildFailure("cannot store the artifact: " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new BuildFailure("cannot store the artifact: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean finish(BuildLease lease, String status, Optional<String> failureReason, Optional<String> artifactDigest,
                          String stagesJson) {
        boolean recorded = queue.finish(lease, status, failureReason, artifactDigest, stagesJson);
        if (recorded && !status.equals("cancelled")) {
            notifyOutcome(lease, status, failureReason, artifactDigest);
        }
        if (recorded && status.equals("passed")) {
            try {
                passed.buildPassed(lease.buildId());
            } catch (RuntimeException e) {
                log.warn("Build {} passed, but what follows it failed: {}", lease.buildId(), e.getMessage());
            }
        }
        return recorded;
    }

    @Override
    public boolean handBack(BuildLease lease, Optional<List<String>> requiredLabels) {
        return queue.handBack(lease, requiredLabels);
    }

    private void notifyOutcome(BuildLease lease, String outcome, Optional<String> reason, Optional<String> artifact) {
        Optional<Repository> repository;
        try {
            repository = Optional.of(repositories.byId(lease.repoId()));
        } catch (ApiException e) {
            repository = Optional.empty();
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("build_id", lease.buildId());
        repository.ifPresent(repo -> fields.put("repo", repo.name()));
        fields.put("branch", lease.branch());
        fields.put("commit_sha", lease.commitSha());
        artifact.ifPresent(sha -> fields.put("artifact_sha", sha));
        reason.ifPresent(text -> fields.put("reason", text));
        String repo = repository.map(Repository::name).orElse("a repository");
        String title = "Build " + outcome + ": " + repo + " " + lease.branch() + " @ " + lease.commitSha().substring(0, 7);
        try {
            notifications.send(new Notification("build." + outcome, title, reason.orElse("The build passed."),
                    "/api/builds/" + lease.buildId(), fields, Instant.now()));
        } catch (RuntimeException e) {
            log.warn("Could not send the build notification: {}", e.getMessage());
        }
    }
}
