package dev.gantry.server.build;

import dev.gantry.plugin.api.scm.ScmCredentials;
import dev.gantry.server.artifact.ArtifactDigest;
import dev.gantry.server.pipeline.PipelineDefinition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What an agent asks of the server while it runs builds. The server's own agent calls {@link ServerBuildCoordinator}
 * directly; an agent on another machine calls the same operations over HTTP ({@link HttpBuildCoordinator}). Every
 * call after the claim names the lease, and answers false (or {@link Heartbeat#leaseHeld()} false) once the lease
 * is lost: the build went to another agent or was finished without this one.
 */
public interface BuildCoordinator {
    /** The next build that {@code labels} cover, leased to the agent; empty when none came within {@code wait}. */
    Optional<BuildLease> claim(String agentId, Set<String> labels, Duration wait) throws InterruptedException;

    /** What a heartbeat learns: whether the lease still holds, and whether someone asked to cancel the build. */
    record Heartbeat(boolean leaseHeld, boolean cancelRequested) {
    }

    Heartbeat heartbeat(BuildLease lease);

    /** Where the build's commit comes from, and the credentials a private repository needs. */
    record BuildSource(String repoName, String url, String provider, Optional<ScmCredentials> credentials) {
    }

    /**
     * Where a claimed build's commit comes from. For a remote agent this is its first call about the build, which
     * confirms that the claim reached a live agent (a claim never confirmed expires within seconds and costs the
     * build no attempt).
     */
    BuildSource source(BuildLease lease) throws BuildFailure;

    /** What the server says to a pipeline: the values of the secrets it asks for, and the builds it superseded. */
    record PipelineAccepted(Map<String, String> secrets, List<String> cancelledBuilds) {
    }

    /** Records the commit's pipeline, cancels the builds it supersedes, and reveals the secrets it names. */
    PipelineAccepted pipelineRead(BuildLease lease, PipelineDefinition pipeline) throws BuildFailure;

    /** Progress: {@code status} is building or testing; {@code stagesJson} the stages as the API shows them. */
    boolean progress(BuildLease lease, String status, String stagesJson);

    /** Appends lines to the build's log as one chunk starting at line {@code firstLine}. */
    boolean appendLog(BuildLease lease, long firstLine, List<String> lines, long bytes, boolean truncated);

    /** What storing the artifact did. */
    record StoredArtifact(long sizeBytes, boolean created) {
    }

    /** The artifact store cannot be reached now; the same upload may succeed later. */
    final class StoreUnavailable extends Exception {
        public StoreUnavailable(String message) {
            super(message);
        }
    }

    /** Stores the packaged artifact {@code bundle}, whose SHA-256 is {@code digest}, with the build as provenance. */
    StoredArtifact storeArtifact(BuildLease lease, ArtifactDigest digest, Path bundle, String commitSha,
                                 Optional<String> service) throws BuildFailure, StoreUnavailable;

    /** The end of the build: passed, failed or cancelled; the server then sends notifications and starts deploys. */
    boolean finish(BuildLease lease, String status, Optional<String> failureReason, Optional<String> artifactDigest,
                   String stagesJson);

    /**
     * Gives the build back to the queue: the agent stops (it runs again from its first step), or it lacks
     * {@code requiredLabels}, which the build then waits for.
     */
    boolean handBack(BuildLease lease, Optional<List<String>> requiredLabels);
}
