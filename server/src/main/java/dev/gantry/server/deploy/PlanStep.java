package dev.gantry.server.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One step of a deploy's plan. Action steps ({@code ensure}, {@code weights}, {@code remove}, {@code remove_others}) are
 * idempotent target calls, so replaying one after a crash is safe; wait steps ({@code await_healthy}, {@code hold},
 * {@code approval}) only read. {@code version} and the keys of {@code weights} are release ids.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlanStep(Kind kind, List<String> targets, String version, Integer instances, Map<String, Integer> weights,
                       Long durationMs, String label, Integer required, String baseline, Analysis analysis) {

    /**
     * What a hold's analysis compares: {@code canary} compares {@code version} with {@code baseline} (fresh instances
     * of the stable version at the same weight); {@code soak} compares {@code version} now with its own first interval.
     */
    public enum Analysis {
        CANARY, SOAK;

        @com.fasterxml.jackson.annotation.JsonValue
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        @com.fasterxml.jackson.annotation.JsonCreator
        public static Analysis fromId(String id) {
            return valueOf(id.toUpperCase(java.util.Locale.ROOT));
        }
    }

    public enum Kind {
        ENSURE, AWAIT_HEALTHY, WEIGHTS, HOLD, APPROVAL, REMOVE, REMOVE_OTHERS;

        @com.fasterxml.jackson.annotation.JsonValue
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        @com.fasterxml.jackson.annotation.JsonCreator
        public static Kind fromId(String id) {
            return valueOf(id.toUpperCase(java.util.Locale.ROOT));
        }
    }

    static PlanStep ensure(List<String> targets, String version, int instances) {
        return new PlanStep(Kind.ENSURE, targets, version, instances, null, null, null, null, null, null);
    }

    static PlanStep awaitHealthy(List<String> targets, String version, int instances) {
        return new PlanStep(Kind.AWAIT_HEALTHY, targets, version, instances, null, null, null, null, null, null);
    }

    static PlanStep weights(List<String> targets, Map<String, Integer> weights) {
        return new PlanStep(Kind.WEIGHTS, targets, null, null, weights, null, null, null, null, null);
    }

    static PlanStep hold(List<String> targets, String version, long durationMs, String label) {
        return new PlanStep(Kind.HOLD, targets, version, null, null, durationMs, label, null, null, null);
    }

    /** A hold whose looks compare {@code version} with {@code baseline}. */
    static PlanStep canaryAnalysis(List<String> targets, String version, String baseline, long durationMs, String label) {
        return new PlanStep(Kind.HOLD, targets, version, null, null, durationMs, label, null, baseline, Analysis.CANARY);
    }

    /** A hold after promotion whose looks compare {@code version} with its own first interval. */
    static PlanStep soak(List<String> targets, String version, long durationMs, String label) {
        return new PlanStep(Kind.HOLD, targets, version, null, null, durationMs, label, null, null, Analysis.SOAK);
    }

    static PlanStep approval(String label, int required) {
        return new PlanStep(Kind.APPROVAL, List.of(), null, null, null, null, label, required, null, null);
    }

    static PlanStep remove(List<String> targets, String version) {
        return new PlanStep(Kind.REMOVE, targets, version, null, null, null, null, null, null, null);
    }

    static PlanStep removeOthers(List<String> targets, String keep) {
        return new PlanStep(Kind.REMOVE_OTHERS, targets, keep, null, null, null, null, null, null, null);
    }

    /** What the step does, for people reading a deploy's history. */
    public String describe() {
        String on = targets.isEmpty() ? "" : " on " + String.join(", ", targets);
        return switch (kind) {
            case ENSURE -> "run " + instances + " instance(s) of " + version + on;
            case AWAIT_HEALTHY -> "wait for " + instances + " healthy instance(s) of " + version + on;
            case WEIGHTS -> weights.isEmpty() ? "send no traffic" + on : "send " + weights.entrySet().stream()
                    .map(entry -> entry.getValue() + "% to " + entry.getKey()).collect(Collectors.joining(", ")) + on;
            case HOLD -> (label == null ? "hold" : label) + " for " + durationMs / 1000.0 + " s, " + (analysis == null ? "gated"
                    : analysis == Analysis.CANARY ? "analysed against " + baseline : "soak-analysed") + on;
            case APPROVAL -> "wait for " + required + " approval(s)" + (label == null ? "" : " " + label);
            case REMOVE -> "remove " + version + on;
            case REMOVE_OTHERS -> "remove every version but " + version + on;
        };
    }
}
