package dev.gantry.server.pipeline;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code deploy:} section: how the service built by this pipeline is rolled out. It is snapshotted as JSON into
 * every release, so its shape is a contract: fields may be added, never renamed or removed.
 */
public record DeploySpec(
        String service,
        int instances,
        String healthPath,
        Strategy strategy,
        Map<String, Approval> approvals,
        List<String> autoDeploy,
        List<String> dependsOn,
        Map<String, EnvironmentOverride> environments) {

    public static final int DEFAULT_INSTANCES = 1;
    public static final String DEFAULT_HEALTH_PATH = "/healthz";

    public DeploySpec {
        requireNonNull(service, "service is null");
        requireNonNull(healthPath, "healthPath is null");
        requireNonNull(strategy, "strategy is null");
        approvals = Copies.map(approvals, "approvals");
        autoDeploy = List.copyOf(requireNonNull(autoDeploy, "autoDeploy is null"));
        dependsOn = List.copyOf(requireNonNull(dependsOn, "dependsOn is null"));
        environments = Copies.map(environments, "environments");
    }

    /** The instance count in {@code environment}: its override, or the service's default. */
    public int instancesIn(String environment) {
        EnvironmentOverride override = environments.get(environment);
        return override == null ? instances : override.instances().orElse(instances);
    }

    public enum StrategyType {
        CANARY,
        BLUE_GREEN,
        ROLLING;

        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static StrategyType fromId(String id) {
            return Arrays.stream(values())
                    .filter(type -> type.id().equals(id))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown strategy type '" + id + "'"));
        }
    }

    /**
     * How traffic moves to the new version. Only the fields of its type are set: {@code steps} for canary (never
     * empty then), {@code batchSize} for rolling, {@code hold} for blue_green.
     */
    public record Strategy(
            StrategyType type,
            List<CanaryStep> steps,
            Optional<BatchSize> batchSize,
            @JsonSerialize(contentUsing = Durations.JsonWriter.class) @JsonDeserialize(contentUsing = Durations.JsonReader.class)
            Optional<Duration> hold) {

        public static final List<CanaryStep> DEFAULT_CANARY_STEPS = List.of(
                new CanaryStep(1, Optional.of(Duration.ofMinutes(5))),
                new CanaryStep(10, Optional.of(Duration.ofMinutes(5))),
                new CanaryStep(50, Optional.of(Duration.ofMinutes(5))),
                new CanaryStep(100, Optional.empty()));
        public static final BatchSize DEFAULT_BATCH_SIZE = new BatchSize(BatchUnit.PERCENT, 25);
        public static final Duration DEFAULT_BLUE_GREEN_HOLD = Duration.ofMinutes(5);

        public Strategy {
            requireNonNull(type, "type is null");
            steps = List.copyOf(requireNonNull(steps, "steps is null"));
            requireNonNull(batchSize, "batchSize is null");
            requireNonNull(hold, "hold is null");
        }

        public static Strategy canary(List<CanaryStep> steps) {
            return new Strategy(StrategyType.CANARY, steps, Optional.empty(), Optional.empty());
        }

        public static Strategy rolling(BatchSize batchSize) {
            return new Strategy(StrategyType.ROLLING, List.of(), Optional.of(batchSize), Optional.empty());
        }

        public static Strategy blueGreen(Duration hold) {
            return new Strategy(StrategyType.BLUE_GREEN, List.of(), Optional.empty(), Optional.of(hold));
        }
    }

    /** Send {@code weight} percent of traffic to the new version, then wait {@code hold} before the next step. */
    public record CanaryStep(
            int weight,
            @JsonSerialize(contentUsing = Durations.JsonWriter.class) @JsonDeserialize(contentUsing = Durations.JsonReader.class)
            Optional<Duration> hold) {
        public CanaryStep {
            requireNonNull(hold, "hold is null");
        }
    }

    public enum BatchUnit {
        PERCENT,
        INSTANCES;

        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static BatchUnit fromId(String id) {
            return Arrays.stream(values())
                    .filter(unit -> unit.id().equals(id))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown batch unit '" + id + "'"));
        }
    }

    /** How many instances a rolling deploy replaces at a time: a percentage of them, or a count. */
    public record BatchSize(BatchUnit unit, int value) {
        public BatchSize {
            requireNonNull(unit, "unit is null");
        }

        /** The batch for a service of {@code total} instances: at least one, at most all of them. */
        public int instancesOf(int total) {
            int batch = unit == BatchUnit.PERCENT ? (int) Math.ceil(total * value / 100.0) : value;
            return Math.max(1, Math.min(total, batch));
        }
    }

    /** How many distinct people must approve a deploy to the environment before it starts. */
    public record Approval(int required) {
    }

    /** What differs in one environment; {@code config} is free-form and snapshotted with the release as written. */
    public record EnvironmentOverride(Optional<Integer> instances, Map<String, String> env, Map<String, Object> config) {
        public EnvironmentOverride {
            requireNonNull(instances, "instances is null");
            env = Copies.map(env, "env");
            config = Copies.mapAllowingNulls(config, "config");
        }
    }
}
