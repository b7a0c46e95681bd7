package dev.gantry.server.deploy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A deploy as the API shows it: where it stands, its plan of steps, the traffic split, instances per version, and its
 * whole history.
 */
public record DeployRepresentation(
        String deployId,
        String status,
        String service,
        String environment,
        String kind,
        Optional<String> rollbackOf,
        String strategy,
        Release release,
        Optional<Release> previousRelease,
        Step step,
        List<PlanStep> plan,
        Map<String, Map<String, Integer>> weights,
        Map<String, List<Instance>> instances,
        Object health,
        Optional<String> reason,
        String initiatedBy,
        List<Approval> approvals,
        Instant createdAt,
        Optional<Instant> finishedAt,
        List<Transition> transitions) {

    DeployRepresentation withInstances(Map<String, List<Instance>> live) {
        return new DeployRepresentation(deployId, status, service, environment, kind, rollbackOf, strategy, release,
                previousRelease, step, plan, weights, live, health, reason, initiatedBy, approvals, createdAt, finishedAt, transitions);
    }

    public record Release(String releaseId, String artifactSha) {
    }

    /** The step the deploy is at ({@code index} = {@code count} once every step is done). */
    public record Step(int index, int count, Optional<String> kind, Optional<String> description, Optional<Instant> startedAt) {
    }

    public record Instance(String instanceId, String version, String address, boolean healthy) {
    }

    public record Approval(int step, String user, String decision, Optional<String> comment, Instant at) {
    }

    public record Transition(Instant at, Optional<String> from, String to, Optional<Integer> step, String action, String actor,
                             Optional<String> reason) {
    }
}
