package dev.gantry.server.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A repository's {@code pipeline.yaml}, validated, with every default filled in. {@link PipelineParser} is the only
 * way to get one from YAML; docs/pipeline.md describes each field.
 */
public record PipelineDefinition(
        int version,
        String builder,
        Optional<String> image,
        boolean cancelSuperseded,
        Map<String, String> env,
        List<String> secrets,
        List<String> agentLabels,
        Limits limits,
        Optional<DependencyStep> dependencies,
        List<Stage> stages,
        Optional<ArtifactSpec> artifact,
        Optional<DeploySpec> deploy) {

    public static final String SANDBOX = "sandbox";
    public static final String DOCKER = "docker";

    public PipelineDefinition {
        requireNonNull(builder, "builder is null");
        requireNonNull(image, "image is null");
        env = Copies.map(env, "env");
        secrets = List.copyOf(requireNonNull(secrets, "secrets is null"));
        agentLabels = List.copyOf(requireNonNull(agentLabels, "agentLabels is null"));
        requireNonNull(limits, "limits is null");
        requireNonNull(dependencies, "dependencies is null");
        stages = List.copyOf(requireNonNull(stages, "stages is null"));
        requireNonNull(artifact, "artifact is null");
        requireNonNull(deploy, "deploy is null");
    }

    /** The labels an agent needs to run this pipeline: its {@code agent_labels} and the kind of its builder. */
    public List<String> requiredLabels() {
        java.util.TreeSet<String> required = new java.util.TreeSet<>(agentLabels);
        required.add(builder);
        return List.copyOf(required);
    }
}
