package dev.gantry.server.deploy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A deploy as stored, with its release's and the previous release's digests, read at the database's {@code now}. */
record DeployRow(
        String id,
        String service,
        String environment,
        String releaseId,
        String artifactDigest,
        Optional<String> previousReleaseId,
        Optional<String> previousDigest,
        String kind,
        Optional<String> rollbackOf,
        String strategy,
        String state,
        List<PlanStep> plan,
        int step,
        Optional<Instant> stepStartedAt,
        Optional<Integer> promoteStep,
        Optional<String> reason,
        String initiatedBy,
        Optional<String> driver,
        long fence,
        Instant createdAt,
        Optional<Instant> finishedAt,
        Instant now) {

    static final Set<String> ACTIVE = Set.of("pending", "awaiting_approval", "in_progress", "paused", "rolling_back");
    static final Set<String> TERMINAL = Set.of("succeeded", "rolled_back", "failed");

    boolean terminal() {
        return TERMINAL.contains(state);
    }

    Optional<PlanStep> currentStep() {
        return step < plan.size() ? Optional.of(plan.get(step)) : Optional.empty();
    }

    long msInStep() {
        return stepStartedAt.map(started -> now.toEpochMilli() - started.toEpochMilli()).orElse(0L);
    }

    /** Whether any step before the current one changed a target (a refusal before that needs no rollback). */
    boolean touchedTargets() {
        return plan.subList(0, Math.min(step, plan.size())).stream().anyMatch(done -> done.kind() != PlanStep.Kind.APPROVAL);
    }
}
