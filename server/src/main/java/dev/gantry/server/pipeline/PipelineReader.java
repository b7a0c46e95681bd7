package dev.gantry.server.pipeline;

import static java.util.Objects.requireNonNull;

import dev.gantry.server.pipeline.DeploySpec.Approval;
import dev.gantry.server.pipeline.DeploySpec.BatchSize;
import dev.gantry.server.pipeline.DeploySpec.BatchUnit;
import dev.gantry.server.pipeline.DeploySpec.CanaryStep;
import dev.gantry.server.pipeline.DeploySpec.EnvironmentOverride;
import dev.gantry.server.pipeline.DeploySpec.Strategy;
import dev.gantry.server.pipeline.DeploySpec.StrategyType;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.AnchorNode;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Builds a {@link PipelineDefinition} from YAML nodes by hand, so that every rule it checks can name the line and
 * column it is about. A broken value is reported and replaced by its default, and reading goes on, so one pass
 * reports every problem.
 */
final class PipelineReader {
    static final int VERSION = 1;
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");
    private static final Pattern SERVICE = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern ENVIRONMENT = Pattern.compile("[a-z0-9-]{1,63}");
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");
    private static final Pattern PERCENT = Pattern.compile("(0|[1-9][0-9]{0,2})%");
    private static final Pattern DECIMAL = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
    private static final String VARIABLE_RULE =
            "is not a valid environment variable name: use letters, digits and '_', not starting with a digit";
    private static final String LABEL_RULE = "is not a valid agent label: use 1 to 63 lowercase letters, digits, '_', '.' "
            + "and '-', starting with a letter or digit";
    private static final String ENVIRONMENT_RULE = "is not a valid environment name: use 1 to 63 lowercase letters, digits and '-'";
    private static final String SERVICE_RULE = "is not a valid service name: use lowercase letters, digits and '-', starting "
            + "with a letter or digit, at most 63 characters";
    private static final long MIN_MEMORY = 1L << 20;
    private static final long MAX_MEMORY = 1L << 40;
    /** Aliases let a small file name the same subtree many times; reading stops after this many values. */
    private static final int MAX_VISITS = 1_000_000;

    static final String EXTENSION_PREFIX = "x-";
    private static final List<String> TOP_KEYS = List.of("version", "builder", "image", "cancel_superseded", "env",
            "secrets", "agent_labels", "limits", "dependencies", "stages", "artifact", "deploy");
    private static final List<String> LIMITS_KEYS = List.of("memory", "processes", "cpus");
    private static final List<String> DEPENDENCIES_KEYS = List.of("lock_files", "run", "timeout", "env");
    private static final List<String> STAGE_KEYS = List.of("name", "kind", "when", "steps");
    private static final List<String> WHEN_KEYS = List.of("branches");
    private static final List<String> STEP_KEYS = List.of("name", "run", "timeout", "env");
    private static final List<String> ARTIFACT_KEYS = List.of("path");
    private static final List<String> DEPLOY_KEYS = List.of("service", "instances", "health_path", "strategy",
            "approvals", "auto_deploy", "depends_on", "environments");
    private static final List<String> STRATEGY_KEYS = List.of("type", "steps", "batch_size", "hold");
    private static final List<String> CANARY_STEP_KEYS = List.of("weight", "hold");
    private static final List<String> APPROVAL_KEYS = List.of("required");
    private static final List<String> ENVIRONMENT_KEYS = List.of("instances", "env", "config");
    private static final List<String> BUILDERS = List.of(PipelineDefinition.SANDBOX, PipelineDefinition.DOCKER);
    private static final List<String> STAGE_KINDS = List.of("build", "test");
    private static final List<String> STRATEGY_TYPES = List.of("canary", "blue_green", "rolling");
    private static final Set<Tag> PLAIN_TAGS = Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.SEQ, Tag.MAP,
            Tag.ENV_TAG);

    private final Problems problems;
    private int visits;

    PipelineReader(Problems problems) {
        this.problems = requireNonNull(problems, "problems is null");
    }

    /** The pipeline, or null when a problem was reported (reading goes as far as it can either way). */
    PipelineDefinition read(Node root) {
        root = real(root);
        checkTags(root);
        if (kind(root) == Kind.NULL) {
            problems.at(root, "empty", "pipeline.yaml is empty; it needs at least 'version' and 'stages'");
            return null;
        }
        if (kind(root) != Kind.MAPPING) {
            problems.at(root, "wrong_type", "pipeline.yaml must be a mapping of keys such as 'version' and 'stages', got "
                    + describe(root));
            return null;
        }
        Section top = section(root, "", TOP_KEYS).orElseThrow();

        Optional<Node> versionNode = top.value("version");
        if (versionNode.isEmpty()) {
            required(top, "version", "write 'version: 1'");
        } else {
            Optional<Long> value = integer(versionNode.get(), "version", Long.MIN_VALUE, Long.MAX_VALUE);
            if (value.isPresent() && value.get() != VERSION) {
                problems.at(versionNode.get(), "invalid_value", "version: only version 1 exists, got " + value.get());
            }
        }

        Optional<String> builderChoice = top.value("builder").flatMap(node -> choice(node, "builder", BUILDERS));
        // an unknown builder is reported already; whether it needs an image is anyone's guess
        boolean builderKnown = top.value("builder").isEmpty() || builderChoice.isPresent();
        String builder = builderChoice.orElse(PipelineDefinition.SANDBOX);
        Optional<String> image = top.value("image").flatMap(node -> image(node, "image"));
        if (builderKnown && builder.equals(PipelineDefinition.DOCKER) && top.value("image").isEmpty()) {
            problems.at(top.value("builder").orElseThrow(), "required",
                    "image is required when builder is docker; add 'image: <the image steps run in>'");
        }
        if (builderKnown && builder.equals(PipelineDefinition.SANDBOX) && top.value("image").isPresent()) {
            problems.at(top.key("image"), "not_allowed", "image is only used with builder: docker (this pipeline uses the "
                    + "sandbox builder); remove it or set 'builder: docker'");
        }
        boolean cancelSuperseded = top.value("cancel_superseded").flatMap(node -> bool(node, "cancel_superseded")).orElse(false);
        Map<String, String> env = top.value("env").map(node -> env(node, "env")).orElse(Map.of());
        List<String> secrets = top.value("secrets")
                .map(node -> names(node, "secrets", (item, path) -> named(item, path, VARIABLE, VARIABLE_RULE)))
                .orElse(List.of());
        List<String> agentLabels = top.value("agent_labels")
                .map(node -> names(node, "agent_labels", (item, path) -> named(item, path, LABEL, LABEL_RULE)))
                .orElse(List.of());
        Limits limits = top.value("limits").map(node -> limits(node, "limits")).orElse(Limits.DEFAULT);
        Optional<DependencyStep> dependencies = top.value("dependencies").flatMap(node -> dependencies(node, "dependencies"));
        List<Stage> stages = List.of();
        if (top.value("stages").isEmpty()) {
            required(top, "stages", "list at least one stage with its steps");
        } else {
            stages = stages(top.value("stages").get(), "stages");
        }
        Optional<ArtifactSpec> artifact = top.value("artifact").flatMap(node -> artifact(node, "artifact"));
        Optional<DeploySpec> deploy = top.value("deploy").flatMap(node -> deploy(node, "deploy"));
        if (problems.any()) {
            return null;
        }
        return new PipelineDefinition(VERSION, builder, image, cancelSuperseded, env, secrets, agentLabels, limits, dependencies, stages,
                artifact, deploy);
    }

    private Limits limits(Node node, String path) {
        Optional<Section> section = section(node, path, LIMITS_KEYS);
        if (section.isEmpty()) {
            return Limits.DEFAULT;
        }
        Section limits = section.get();
        long memory = limits.value("memory").flatMap(value -> size(value, limits.path("memory"), MIN_MEMORY, MAX_MEMORY))
                .orElse(Limits.DEFAULT.memoryBytes());
        long processes = limits.value("processes").flatMap(value -> integer(value, limits.path("processes"), 1, 65_536))
                .orElse((long) Limits.DEFAULT.processes());
        double cpus = limits.value("cpus").flatMap(value -> number(value, limits.path("cpus"), 256))
                .orElse(Limits.DEFAULT.cpus());
        return new Limits(memory, (int) processes, cpus);
    }

    private Optional<DependencyStep> dependencies(Node node, String path) {
        Optional<Section> section = section(node, path, DEPENDENCIES_KEYS);
        if (section.isEmpty()) {
            return Optional.empty();
        }
        Section step = section.get();
        List<String> lockFiles = List.of();
        if (step.value("lock_files").isEmpty()) {
            required(step, "lock_files", "list the files whose contents decide when the dependencies are fetched again, "
                    + "such as package-lock.json");
        } else {
            lockFiles = names(step.value("lock_files").get(), step.path("lock_files"), this::relativePath);
            if (isEmptyList(step.value("lock_files").get())) {
                problems.at(step.value("lock_files").get(), "invalid_value", step.path("lock_files") + ": list at least one file");
            }
        }
        List<String> command = command(step, "the command that fetches the dependencies into /deps");
        Duration timeout = step.value("timeout").flatMap(value -> duration(value, step.path("timeout"))).orElse(DEFAULT_TIMEOUT);
        Map<String, String> env = step.value("env").map(value -> env(value, step.path("env"))).orElse(Map.of());
        return Optional.of(new DependencyStep(lockFiles, command, timeout, env));
    }

    private List<Stage> stages(Node node, String path) {
        Optional<List<Node>> items = list(node, path);
        if (items.isEmpty()) {
            return List.of();
        }
        if (items.get().isEmpty()) {
            problems.at(node, "invalid_value", path + ": list at least one stage");
            return List.of();
        }
        List<Stage> stages = new ArrayList<>();
        Map<String, Node> names = new HashMap<>();
        for (int i = 0; i < items.get().size(); i++) {
            String stagePath = path + "[" + i + "]";
            Optional<Section> section = section(items.get().get(i), stagePath, STAGE_KEYS);
            if (section.isEmpty()) {
                continue;
            }
            Section stage = section.get();
            String name = uniqueName(stage, names, "stage", "");
            StageKind kind = stage.value("kind").flatMap(value -> choice(value, stage.path("kind"), STAGE_KINDS))
                    .map(StageKind::fromId)
                    .orElse(name.equals("test") ? StageKind.TEST : StageKind.BUILD);
            Optional<When> when = stage.value("when").flatMap(value -> when(value, stage.path("when")));
            List<Step> steps = List.of();
            if (stage.value("steps").isEmpty()) {
                required(stage, "steps", "list at least one step with a name and a run command");
            } else {
                steps = steps(stage.value("steps").get(), stage.path("steps"));
            }
            stages.add(new Stage(name, kind, when, steps));
        }
        return stages;
    }

    private Optional<When> when(Node node, String path) {
        Optional<Section> section = section(node, path, WHEN_KEYS);
        if (section.isEmpty()) {
            return Optional.empty();
        }
        Section when = section.get();
        if (when.value("branches").isEmpty()) {
            required(when, "branches", "list the branch patterns the stage runs on, such as [main, \"release/*\"]");
            return Optional.empty();
        }
        Node branchesNode = when.value("branches").get();
        List<String> branches = names(branchesNode, when.path("branches"), this::branchPattern);
        if (isEmptyList(branchesNode)) {
            problems.at(branchesNode, "invalid_value", when.path("branches") + ": list at least one branch pattern");
        }
        return Optional.of(new When(branches));
    }

    private List<Step> steps(Node node, String path) {
        Optional<List<Node>> items = list(node, path);
        if (items.isEmpty()) {
            return List.of();
        }
        if (items.get().isEmpty()) {
            problems.at(node, "invalid_value", path + ": list at least one step");
            return List.of();
        }
        List<Step> steps = new ArrayList<>();
        Map<String, Node> names = new HashMap<>();
        for (int i = 0; i < items.get().size(); i++) {
            Optional<Section> section = section(items.get().get(i), path + "[" + i + "]", STEP_KEYS);
            if (section.isEmpty()) {
                continue;
            }
            Section step = section.get();
            String name = uniqueName(step, names, "step", " in this stage");
            List<String> command = command(step, "the command to run");
            Duration timeout = step.value("timeout").flatMap(value -> duration(value, step.path("timeout"))).orElse(DEFAULT_TIMEOUT);
            Map<String, String> env = step.value("env").map(value -> env(value, step.path("env"))).orElse(Map.of());
            steps.add(new Step(name, command, timeout, env));
        }
        return steps;
    }

    /** A stage's or step's name: required, well-formed, and not used by an earlier sibling. */
    private String uniqueName(Section section, Map<String, Node> seen, String what, String scope) {
        Optional<Node> node = section.value("name");
        if (node.isEmpty()) {
            required(section, "name", "give the " + what + " a name such as 'build'");
            return "";
        }
        Optional<String> name = named(node.get(), section.path("name"), NAME, "is not a valid " + what + " name: use "
                + "lowercase letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters");
        if (name.isEmpty()) {
            return "";
        }
        Node first = seen.putIfAbsent(name.get(), node.get());
        if (first != null) {
            problems.at(node.get(), "duplicate_name", section.path("name") + ": a " + what + " named " + quote(name.get())
                    + " is already defined" + scope + " at " + position(first));
        }
        return name.get();
    }

    /** {@code run}: a string for {@code sh -c}, or a list of strings that is the program and its arguments. */
    private List<String> command(Section section, String what) {
        Optional<Node> node = section.value("run");
        if (node.isEmpty()) {
            required(section, "run", "give " + what + ", as a string or a list of strings");
            return List.of();
        }
        String path = section.path("run");
        Node run = node.get();
        visit();
        switch (kind(run)) {
            case STRING -> {
                String script = text(run);
                if (script.isBlank()) {
                    problems.at(run, "invalid_value", path + ": the command is empty");
                    return List.of();
                }
                return List.of("sh", "-c", script);
            }
            case LIST -> {
                List<Node> items = ((SequenceNode) run).getValue();
                if (items.isEmpty()) {
                    problems.at(run, "invalid_value", path + ": list the program and its arguments");
                    return List.of();
                }
                List<String> argv = new ArrayList<>();
                for (int i = 0; i < items.size(); i++) {
                    Node item = real(items.get(i));
                    Optional<String> argument = string(item, path + "[" + i + "]");
                    if (i == 0 && argument.filter(String::isBlank).isPresent()) {
                        problems.at(item, "invalid_value", path + "[0]: the program name is empty");
                    }
                    argument.ifPresent(argv::add);
                }
                return argv;
            }
            default -> {
                problems.at(run, "wrong_type", path + ": expected a string (run with sh -c) or a list of strings (the program "
                        + "and its arguments), got " + describe(run));
                return List.of();
            }
        }
    }

    private Optional<ArtifactSpec> artifact(Node node, String path) {
        Optional<Section> section = section(node, path, ARTIFACT_KEYS);
        if (section.isEmpty()) {
            return Optional.empty();
        }
        Section artifact = section.get();
        if (artifact.value("path").isEmpty()) {
            required(artifact, "path", "give the workspace directory to package, such as 'dist'");
            return Optional.empty();
        }
        return relativePath(artifact.value("path").get(), artifact.path("path")).map(ArtifactSpec::new);
    }

    /** A deploy section given on its own, as the whole document; null when it has problems (they are recorded). */
    DeploySpec readDeploy(Node root) {
        Optional<DeploySpec> deploy = deploy(root, "deploy");
        return problems.any() ? null : deploy.orElse(null);
    }

    private Optional<DeploySpec> deploy(Node node, String path) {
        Optional<Section> section = section(node, path, DEPLOY_KEYS);
        if (section.isEmpty()) {
            return Optional.empty();
        }
        Section deploy = section.get();
        String service = "";
        if (deploy.value("service").isEmpty()) {
            required(deploy, "service", "name the service this pipeline deploys, such as 'shop'");
        } else {
            Node serviceNode = deploy.value("service").get();
            service = named(serviceNode, deploy.path("service"), SERVICE, SERVICE_RULE).orElse("");
        }
        int instances = deploy.value("instances").flatMap(value -> integer(value, deploy.path("instances"), 1, 1000))
                .map(Long::intValue).orElse(DeploySpec.DEFAULT_INSTANCES);
        String healthPath = deploy.value("health_path").flatMap(value -> healthPath(value, deploy.path("health_path")))
                .orElse(DeploySpec.DEFAULT_HEALTH_PATH);
        Strategy strategy = deploy.value("strategy").map(value -> strategy(value, deploy.path("strategy")))
                .orElse(Strategy.canary(Strategy.DEFAULT_CANARY_STEPS));
        Map<String, Approval> approvals = deploy.value("approvals")
                .map(value -> namedSections(value, deploy.path("approvals"), APPROVAL_KEYS, this::approval))
                .orElse(Map.of());
        List<String> autoDeploy = deploy.value("auto_deploy")
                .map(value -> names(value, deploy.path("auto_deploy"), (item, itemPath) -> named(item, itemPath, ENVIRONMENT, ENVIRONMENT_RULE)))
                .orElse(List.of());
        List<String> dependsOn = List.of();
        if (deploy.value("depends_on").isPresent()) {
            Node dependsOnNode = deploy.value("depends_on").get();
            dependsOn = names(dependsOnNode, deploy.path("depends_on"), (item, itemPath) -> named(item, itemPath, SERVICE, SERVICE_RULE));
            if (!service.isEmpty() && dependsOn.contains(service)) {
                problems.at(dependsOnNode, "invalid_value", deploy.path("depends_on") + ": the service " + quote(service)
                        + " cannot depend on itself");
            }
        }
        Map<String, EnvironmentOverride> environments = deploy.value("environments")
                .map(value -> namedSections(value, deploy.path("environments"), ENVIRONMENT_KEYS, this::environmentOverride))
                .orElse(Map.of());
        return Optional.of(new DeploySpec(service, instances, healthPath, strategy, approvals, autoDeploy, dependsOn, environments));
    }

    private Optional<String> healthPath(Node node, String path) {
        return string(node, path).filter(value -> {
            if (!value.startsWith("/") || value.length() > 2048 || value.chars().anyMatch(c -> c <= ' ')) {
                problems.at(node, "invalid_value", path + ": " + quote(value) + " is not a URL path; it must start with '/' "
                        + "and hold no spaces, like /healthz");
                return false;
            }
            return true;
        });
    }

    private Strategy strategy(Node node, String path) {
        Strategy fallback = Strategy.canary(Strategy.DEFAULT_CANARY_STEPS);
        Optional<Section> section = section(node, path, STRATEGY_KEYS);
        if (section.isEmpty()) {
            return fallback;
        }
        Section strategy = section.get();
        Optional<StrategyType> type = strategy.value("type").isEmpty()
                ? Optional.of(StrategyType.CANARY)
                : choice(strategy.value("type").get(), strategy.path("type"), STRATEGY_TYPES).map(StrategyType::fromId);
        if (type.isEmpty()) {
            return fallback;
        }
        onlyFor(strategy, "steps", StrategyType.CANARY, type.get());
        onlyFor(strategy, "batch_size", StrategyType.ROLLING, type.get());
        onlyFor(strategy, "hold", StrategyType.BLUE_GREEN, type.get());
        return switch (type.get()) {
            case CANARY -> Strategy.canary(strategy.value("steps")
                    .map(value -> canarySteps(value, strategy.path("steps")))
                    .orElse(Strategy.DEFAULT_CANARY_STEPS));
            case ROLLING -> Strategy.rolling(strategy.value("batch_size")
                    .flatMap(value -> batchSize(value, strategy.path("batch_size")))
                    .orElse(Strategy.DEFAULT_BATCH_SIZE));
            case BLUE_GREEN -> Strategy.blueGreen(strategy.value("hold")
                    .flatMap(value -> duration(value, strategy.path("hold")))
                    .orElse(Strategy.DEFAULT_BLUE_GREEN_HOLD));
        };
    }

    private void onlyFor(Section strategy, String key, StrategyType owner, StrategyType actual) {
        if (strategy.value(key).isPresent() && owner != actual) {
            problems.at(strategy.key(key), "not_allowed", strategy.path(key) + ": only used with type: " + owner.id()
                    + " (this strategy is " + actual.id() + ")");
        }
    }

    private List<CanaryStep> canarySteps(Node node, String path) {
        Optional<List<Node>> items = list(node, path);
        if (items.isEmpty()) {
            return Strategy.DEFAULT_CANARY_STEPS;
        }
        if (items.get().isEmpty()) {
            problems.at(node, "invalid_value", path + ": list at least one step; the last one's weight must be 100");
            return Strategy.DEFAULT_CANARY_STEPS;
        }
        List<CanaryStep> steps = new ArrayList<>();
        Integer previous = null;
        Node lastWeight = null;
        Integer last = null;
        for (int i = 0; i < items.get().size(); i++) {
            String stepPath = path + "[" + i + "]";
            Optional<Section> section = section(items.get().get(i), stepPath, CANARY_STEP_KEYS);
            last = null;
            lastWeight = null;
            if (section.isEmpty()) {
                continue;
            }
            Section step = section.get();
            Optional<Duration> hold = step.value("hold").flatMap(value -> duration(value, step.path("hold")));
            if (step.value("weight").isEmpty()) {
                required(step, "weight", "give the percentage of traffic the new version gets, 1 to 100");
                continue;
            }
            Node weightNode = step.value("weight").get();
            Optional<Long> weight = integer(weightNode, step.path("weight"), 1, 100);
            if (weight.isEmpty()) {
                continue;
            }
            int value = weight.get().intValue();
            if (previous != null && value <= previous) {
                problems.at(weightNode, "invalid_value", step.path("weight") + ": weights must increase from step to step, but "
                        + value + " does not exceed " + previous + " in the step before");
            }
            previous = value;
            last = value;
            lastWeight = weightNode;
            steps.add(new CanaryStep(value, hold));
        }
        if (last != null && last != 100) {
            problems.at(lastWeight, "invalid_value", path + "[" + (items.get().size() - 1) + "].weight: the last step must send "
                    + "all traffic to the new version: its weight must be 100, got " + last);
        }
        return steps;
    }

    private Optional<BatchSize> batchSize(Node node, String path) {
        visit();
        switch (kind(node)) {
            case STRING -> {
                Matcher percent = PERCENT.matcher(text(node));
                if (text(node).length() <= 4 && percent.matches()) {
                    int value = Integer.parseInt(percent.group(1));
                    if (value >= 1 && value <= 100) {
                        return Optional.of(new BatchSize(BatchUnit.PERCENT, value));
                    }
                    problems.at(node, "invalid_value", path + ": a percentage of instances is between 1% and 100%, got " + value + "%");
                    return Optional.empty();
                }
                problems.at(node, "invalid_value", path + ": " + quote(text(node)) + " is not a batch size; write a percentage "
                        + "of the instances like 25%, or a number of instances like 2");
                return Optional.empty();
            }
            case INTEGER -> {
                return integer(node, path, 1, 1000).map(count -> new BatchSize(BatchUnit.INSTANCES, count.intValue()));
            }
            default -> {
                problems.at(node, "wrong_type", path + ": expected a percentage like 25% or a number of instances like 2, got "
                        + describe(node));
                return Optional.empty();
            }
        }
    }

    private Approval approval(Section section) {
        int required = section.value("required").flatMap(value -> integer(value, section.path("required"), 1, 5))
                .map(Long::intValue).orElse(1);
        return new Approval(required);
    }

    private EnvironmentOverride environmentOverride(Section section) {
        Optional<Integer> instances = section.value("instances")
                .flatMap(value -> integer(value, section.path("instances"), 1, 1000))
                .map(Long::intValue);
        Map<String, String> env = section.value("env").map(value -> env(value, section.path("env"))).orElse(Map.of());
        Map<String, Object> config = Map.of();
        if (section.value("config").isPresent()) {
            Node configNode = section.value("config").get();
            if (kind(configNode) != Kind.MAPPING) {
                wrongType(configNode, section.path("config"), "a mapping");
            } else {
                @SuppressWarnings("unchecked")
                Map<String, Object> plain = (Map<String, Object>) plainValue(configNode, section.path("config"), open());
                config = plain;
            }
        }
        return new EnvironmentOverride(instances, env, config);
    }

    /** A mapping from environment names to sections of the same shape, such as approvals and environments. */
    private <T> Map<String, T> namedSections(Node node, String path, List<String> keys, Function<Section, T> reader) {
        if (kind(node) != Kind.MAPPING) {
            visit();
            wrongType(node, path, "a mapping of environment names");
            return Map.of();
        }
        Map<String, T> result = new LinkedHashMap<>();
        for (Map.Entry<String, NodeTuple> entry : entries((MappingNode) node, path).entrySet()) {
            String name = entry.getKey();
            Node keyNode = entry.getValue().getKeyNode();
            String entryPath = path + "." + clip(name);
            if (!ENVIRONMENT.matcher(name).matches()) {
                problems.at(keyNode, "invalid_value", entryPath + ": " + quote(name) + " " + ENVIRONMENT_RULE);
            }
            section(entry.getValue().getValueNode(), entryPath, keys).ifPresent(section -> result.put(name, reader.apply(section)));
        }
        return result;
    }

    private Map<String, String> env(Node node, String path) {
        if (kind(node) != Kind.MAPPING) {
            visit();
            wrongType(node, path, "a mapping of variable names to values");
            return Map.of();
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (Map.Entry<String, NodeTuple> entry : entries((MappingNode) node, path).entrySet()) {
            String name = entry.getKey();
            String entryPath = path + "." + clip(name);
            if (!VARIABLE.matcher(name).matches()) {
                problems.at(entry.getValue().getKeyNode(), "invalid_value", entryPath + ": " + quote(name) + " " + VARIABLE_RULE);
            }
            Node value = real(entry.getValue().getValueNode());
            visit();
            if (kind(value) == Kind.STRING) {
                env.put(name, text(value));
            } else if (kind(value) == Kind.NULL) {
                problems.at(value, "wrong_type", entryPath + ": environment values are strings, got an empty value; "
                        + "write \"\" for an empty string");
            } else {
                wrongType(value, entryPath, "a string");
            }
        }
        return env;
    }

    /** A list of distinct strings, each read (and checked) by {@code item}. */
    private List<String> names(Node node, String path, BiFunction<Node, String, Optional<String>> item) {
        Optional<List<Node>> items = list(node, path);
        if (items.isEmpty()) {
            return List.of();
        }
        List<String> values = new ArrayList<>();
        Map<String, Node> seen = new HashMap<>();
        for (int i = 0; i < items.get().size(); i++) {
            Node itemNode = real(items.get().get(i));
            String itemPath = path + "[" + i + "]";
            Optional<String> value = item.apply(itemNode, itemPath);
            if (value.isEmpty()) {
                continue;
            }
            Node first = seen.putIfAbsent(value.get(), itemNode);
            if (first != null) {
                problems.at(itemNode, "duplicate_entry", itemPath + ": " + quote(value.get()) + " is already listed at " + position(first));
                continue;
            }
            values.add(value.get());
        }
        return values;
    }

    /** A string that must match {@code pattern}; {@code rule} says what it should look like. */
    private Optional<String> named(Node node, String path, Pattern pattern, String rule) {
        return string(node, path).filter(value -> {
            if (pattern.matcher(value).matches()) {
                return true;
            }
            problems.at(node, "invalid_value", path + ": " + quote(value) + " " + rule);
            return false;
        });
    }

    private Optional<String> branchPattern(Node node, String path) {
        return string(node, path).filter(value -> {
            if (value.isEmpty() || value.length() > 255 || value.chars().anyMatch(c -> c <= ' ')) {
                problems.at(node, "invalid_value", path + ": " + quote(value) + " is not a branch pattern; write a branch name "
                        + "with * (within one segment) or ** (across '/'), like release/*");
                return false;
            }
            return true;
        });
    }

    /** A path inside the repository: relative, and never climbing out of it with '..'. */
    private Optional<String> relativePath(Node node, String path) {
        return string(node, path).filter(value -> {
            String problem = null;
            if (value.isEmpty()) {
                problem = "the path is empty";
            } else if (value.length() > 4096) {
                problem = "the path is longer than 4096 characters";
            } else if (value.startsWith("/")) {
                problem = quote(value) + " is absolute; give a path relative to the repository root";
            } else if (value.contains("\\")) {
                problem = quote(value) + " holds a backslash; separate directories with '/'";
            } else if (List.of(value.split("/", -1)).contains("..")) {
                problem = quote(value) + " leaves the repository through '..'; give a path inside it";
            }
            if (problem != null) {
                problems.at(node, "invalid_value", path + ": " + problem);
                return false;
            }
            return true;
        });
    }

    private Optional<String> image(Node node, String path) {
        return string(node, path).filter(value -> {
            if (value.isEmpty() || value.length() > 255 || value.startsWith("-") || value.chars().anyMatch(c -> c <= ' ')) {
                problems.at(node, "invalid_value", path + ": " + quote(value) + " is not an image reference; write one like "
                        + "gantry/busybox:1");
                return false;
            }
            return true;
        });
    }

    // ---- values ----

    private Optional<String> string(Node node, String path) {
        visit();
        if (kind(node) == Kind.STRING) {
            return Optional.of(text(node));
        }
        wrongType(node, path, "a string");
        return Optional.empty();
    }

    private Optional<String> choice(Node node, String path, List<String> options) {
        return string(node, path).filter(value -> {
            if (options.contains(value)) {
                return true;
            }
            problems.at(node, "invalid_value", path + ": " + quote(value) + " is not one of " + String.join(", ", options)
                    + Suggestions.closest(value, options).map(option -> "; did you mean '" + option + "'?").orElse(""));
            return false;
        });
    }

    private Optional<Boolean> bool(Node node, String path) {
        visit();
        if (kind(node) == Kind.BOOLEAN) {
            String value = text(node).toLowerCase(Locale.ROOT);
            if (value.equals("true") || value.equals("false")) {
                return Optional.of(value.equals("true"));
            }
            problems.at(node, "invalid_value", path + ": " + quote(text(node)) + " is not a boolean; write true or false");
            return Optional.empty();
        }
        wrongType(node, path, "a boolean (true or false)");
        return Optional.empty();
    }

    private Optional<Long> integer(Node node, String path, long min, long max) {
        visit();
        Kind kind = kind(node);
        if (kind == Kind.FLOAT) {
            problems.at(node, "wrong_type", path + ": expected a whole number, got " + describe(node));
            return Optional.empty();
        }
        if (kind != Kind.INTEGER) {
            wrongType(node, path, "a whole number");
            return Optional.empty();
        }
        Optional<BigInteger> value = parseInteger(text(node));
        if (value.isEmpty()) {
            problems.at(node, "invalid_value", path + ": " + quote(text(node)) + " is not a whole number");
            return Optional.empty();
        }
        if (value.get().compareTo(BigInteger.valueOf(min)) < 0 || value.get().compareTo(BigInteger.valueOf(max)) > 0) {
            problems.at(node, "invalid_value", path + ": must be between " + min + " and " + max + ", got " + clip(value.get().toString()));
            return Optional.empty();
        }
        return Optional.of(value.get().longValue());
    }

    /** A positive number up to {@code max}, whole or not. */
    private Optional<Double> number(Node node, String path, double max) {
        visit();
        Kind kind = kind(node);
        if (kind != Kind.INTEGER && kind != Kind.FLOAT) {
            wrongType(node, path, "a number");
            return Optional.empty();
        }
        Optional<Double> value = kind == Kind.INTEGER
                ? parseInteger(text(node)).map(BigInteger::doubleValue)
                : parseFloat(text(node));
        if (value.isEmpty() || value.get().isNaN()) {
            problems.at(node, "invalid_value", path + ": " + quote(text(node)) + " is not a number");
            return Optional.empty();
        }
        if (!(value.get() > 0) || value.get() > max) {
            problems.at(node, "invalid_value", path + ": must be more than 0 and at most " + (long) max + ", got " + clip(text(node)));
            return Optional.empty();
        }
        return value;
    }

    private Optional<Duration> duration(Node node, String path) {
        visit();
        if (kind(node) != Kind.STRING) {
            String hint = kind(node) == Kind.INTEGER ? "; add a unit, such as " + clip(text(node)) + "s" : "";
            problems.at(node, "wrong_type", path + ": expected a duration like 30s, 5m or 1h30m, got " + describe(node) + hint);
            return Optional.empty();
        }
        Optional<Duration> value = Durations.parse(text(node));
        if (value.isEmpty()) {
            problems.at(node, "invalid_value", path + ": " + quote(text(node)) + " is not a duration; write hours, minutes and "
                    + "seconds in that order, like 30s, 5m, 1h30m or 2h");
            return Optional.empty();
        }
        if (value.get().isZero() || value.get().compareTo(Durations.MAX) > 0) {
            problems.at(node, "invalid_value", path + ": must be more than 0s and at most 24h, got " + quote(text(node)));
            return Optional.empty();
        }
        return value;
    }

    private Optional<Long> size(Node node, String path, long min, long max) {
        visit();
        if (kind(node) != Kind.STRING) {
            problems.at(node, "wrong_type", path + ": expected a size like 512MiB or 2GiB, got " + describe(node));
            return Optional.empty();
        }
        Optional<Long> bytes = Sizes.parseBytes(text(node));
        if (bytes.isEmpty()) {
            problems.at(node, "invalid_value", path + ": " + quote(text(node)) + " is not a size; write a whole number of KiB, "
                    + "MiB or GiB, like 512MiB or 2GiB");
            return Optional.empty();
        }
        if (bytes.get() < min || bytes.get() > max) {
            problems.at(node, "invalid_value", path + ": must be between 1MiB and 1024GiB, got " + quote(text(node)));
            return Optional.empty();
        }
        return bytes;
    }

    private Optional<List<Node>> list(Node node, String path) {
        visit();
        if (kind(node) == Kind.LIST) {
            return Optional.of(((SequenceNode) node).getValue());
        }
        if (kind(node) == Kind.STRING) {
            problems.at(node, "wrong_type", path + ": expected a list, got " + describe(node) + "; write it as a list: ["
                    + clip(text(node)) + "]");
        } else {
            wrongType(node, path, "a list");
        }
        return Optional.empty();
    }

    /** Free-form values (deploy environment config) as the plain Java values Jackson writes as JSON. */
    private Object plainValue(Node node, String path, Set<Node> open) {
        node = real(node);
        visit();
        switch (kind(node)) {
            case STRING -> {
                return text(node);
            }
            case BOOLEAN -> {
                return bool(node, path).orElse(null);
            }
            case NULL -> {
                return null;
            }
            case INTEGER -> {
                Optional<BigInteger> value = parseInteger(text(node));
                if (value.isEmpty()) {
                    problems.at(node, "invalid_value", path + ": " + quote(text(node)) + " is not a whole number");
                    return null;
                }
                BigInteger number = value.get();
                // the types Jackson reads such a number back as, so a snapshot round-trips to an equal value
                if (number.bitLength() < 32) {
                    return number.intValue();
                }
                return number.bitLength() < 64 ? (Object) number.longValue() : number;
            }
            case FLOAT -> {
                Optional<Double> value = parseFloat(text(node));
                if (value.isEmpty() || value.get().isNaN() || value.get().isInfinite()) {
                    problems.at(node, "invalid_value", path + ": " + quote(text(node)) + " cannot be written in JSON; use a "
                            + "finite number, or quote it to keep it as text");
                    return null;
                }
                return value.get();
            }
            case LIST -> {
                if (!open.add(node)) {
                    problems.at(node, "recursive_alias", path + ": this list contains itself through an alias");
                    return null;
                }
                List<Object> values = new ArrayList<>();
                List<Node> items = ((SequenceNode) node).getValue();
                for (int i = 0; i < items.size(); i++) {
                    values.add(plainValue(items.get(i), path + "[" + i + "]", open));
                }
                open.remove(node);
                return Copies.listAllowingNulls(values);
            }
            default -> {
                if (!open.add(node)) {
                    problems.at(node, "recursive_alias", path + ": this mapping contains itself through an alias");
                    return null;
                }
                Map<String, Object> values = new LinkedHashMap<>();
                for (Map.Entry<String, NodeTuple> entry : entries((MappingNode) node, path).entrySet()) {
                    values.put(entry.getKey(), plainValue(entry.getValue().getValueNode(), path + "." + clip(entry.getKey()), open));
                }
                open.remove(node);
                return Copies.mapAllowingNulls(values, path);
            }
        }
    }

    private static Set<Node> open() {
        return Collections.newSetFromMap(new IdentityHashMap<>());
    }

    /** YAML 1.2 core schema integers: decimal, 0o octal, 0x hexadecimal. */
    static Optional<BigInteger> parseInteger(String text) {
        // BigInteger parsing is quadratic in the digits; no number this file needs comes close to this length
        if (text.length() > 100) {
            return Optional.empty();
        }
        try {
            if (text.startsWith("0x") && text.length() > 2) {
                return Optional.of(new BigInteger(text.substring(2), 16));
            }
            if (text.startsWith("0o") && text.length() > 2) {
                return Optional.of(new BigInteger(text.substring(2), 8));
            }
            if (DECIMAL.matcher(text).matches()) {
                return Optional.of(new BigInteger(text.startsWith("+") ? text.substring(1) : text));
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** YAML 1.2 core schema floats, including .inf and .nan. */
    static Optional<Double> parseFloat(String text) {
        if (text.length() > 100) {
            return Optional.empty();
        }
        String unsigned = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
        if (List.of(".inf", ".Inf", ".INF").contains(unsigned)) {
            return Optional.of(text.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
        }
        if (List.of(".nan", ".NaN", ".NAN").contains(text)) {
            return Optional.of(Double.NaN);
        }
        if (FLOAT.matcher(text).matches()) {
            try {
                return Optional.of(Double.parseDouble(text));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    // ---- mappings ----

    /** A mapping whose keys are fixed: unknown keys are reported, with the closest allowed one. */
    private Optional<Section> section(Node node, String path, List<String> allowed) {
        node = real(node);
        visit();
        if (kind(node) != Kind.MAPPING) {
            wrongType(node, path.isEmpty() ? "pipeline.yaml" : path, "a mapping");
            return Optional.empty();
        }
        Map<String, NodeTuple> entries = entries((MappingNode) node, path);
        entries.entrySet().removeIf(entry -> {
            if (allowed.contains(entry.getKey())) {
                return false;
            }
            // top-level x- keys hold values for YAML anchors and are otherwise ignored, as in docker-compose files
            if (path.isEmpty() && entry.getKey().startsWith(EXTENSION_PREFIX)) {
                return true;
            }
            Optional<String> suggestion = Suggestions.closest(entry.getKey(), allowed);
            problems.at(entry.getValue().getKeyNode(), "unknown_key", "unknown key " + quote(entry.getKey()) + " " + where(path)
                    + suggestion.map(key -> "; did you mean '" + key + "'? Allowed keys: ").orElse("; allowed keys: ")
                    + String.join(", ", allowed));
            return true;
        });
        return Optional.of(new Section(node, path, entries));
    }

    /** The entries of a mapping by key, keeping the first of duplicate keys; duplicates and non-string keys are reported. */
    private Map<String, NodeTuple> entries(MappingNode mapping, String path) {
        Map<String, NodeTuple> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            visit();
            Node keyNode = real(tuple.getKeyNode());
            if (!(keyNode instanceof ScalarNode)) {
                problems.at(keyNode, "wrong_type", "keys " + where(path) + " must be strings, got " + describe(keyNode));
                continue;
            }
            String key = text(keyNode);
            NodeTuple first = entries.putIfAbsent(key, new NodeTuple(keyNode, real(tuple.getValueNode())));
            if (first != null) {
                problems.at(keyNode, "duplicate_key", "duplicate key " + quote(key) + " " + where(path)
                        + "; it was first defined at " + position(first.getKeyNode()));
            }
        }
        return entries;
    }

    private void required(Section section, String key, String hint) {
        problems.at(section.node, "required", "'" + key + "' is required " + where(section.path) + "; " + hint);
    }

    private static String where(String path) {
        return path.isEmpty() ? "at the top level" : "in " + path;
    }

    private static final class Section {
        final Node node;
        final String path;
        final Map<String, NodeTuple> entries;

        Section(Node node, String path, Map<String, NodeTuple> entries) {
            this.node = node;
            this.path = path;
            this.entries = entries;
        }

        Optional<Node> value(String key) {
            NodeTuple entry = entries.get(key);
            return entry == null ? Optional.empty() : Optional.of(entry.getValueNode());
        }

        Node key(String key) {
            return entries.get(key).getKeyNode();
        }

        String path(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }
    }

    // ---- nodes ----

    private enum Kind { STRING, INTEGER, FLOAT, BOOLEAN, NULL, LIST, MAPPING }

    private static Node real(Node node) {
        while (node instanceof AnchorNode anchor) {
            node = anchor.getRealNode();
        }
        return node;
    }

    private static Kind kind(Node node) {
        node = real(node);
        if (node instanceof MappingNode) {
            return Kind.MAPPING;
        }
        if (node instanceof SequenceNode) {
            return Kind.LIST;
        }
        Tag tag = node.getTag();
        if (Tag.INT.equals(tag)) {
            return Kind.INTEGER;
        }
        if (Tag.FLOAT.equals(tag)) {
            return Kind.FLOAT;
        }
        if (Tag.BOOL.equals(tag)) {
            return Kind.BOOLEAN;
        }
        if (Tag.NULL.equals(tag)) {
            return Kind.NULL;
        }
        // strings, ${VARIABLE} text, and values under tags reported by checkTags
        return Kind.STRING;
    }

    private static boolean isEmptyList(Node node) {
        return real(node) instanceof SequenceNode sequence && sequence.getValue().isEmpty();
    }

    private static String text(Node node) {
        return real(node) instanceof ScalarNode scalar ? scalar.getValue() : "";
    }

    private static String describe(Node node) {
        return switch (kind(node)) {
            case STRING -> "a string (" + quote(text(node)) + ")";
            case INTEGER, FLOAT -> "a number (" + clip(text(node)) + ")";
            case BOOLEAN -> "a boolean (" + clip(text(node)) + ")";
            case NULL -> "an empty value";
            case LIST -> "a list";
            case MAPPING -> "a mapping";
        };
    }

    private void wrongType(Node node, String path, String expected) {
        String message = path + ": expected " + expected + ", got " + describe(node);
        Kind kind = kind(node);
        if (expected.equals("a string") && (kind == Kind.INTEGER || kind == Kind.FLOAT || kind == Kind.BOOLEAN)) {
            message += "; quote it to make it a string: \"" + clip(text(node)) + "\"";
        }
        problems.at(node, "wrong_type", message);
    }

    /** Tags beyond YAML's plain types (such as !!binary or a custom !thing) mean nothing here; each is reported once. */
    private void checkTags(Node root) {
        Set<Node> seen = open();
        Deque<Node> pending = new ArrayDeque<>();
        pending.push(root);
        while (!pending.isEmpty()) {
            Node node = real(pending.pop());
            if (!seen.add(node)) {
                continue;
            }
            visit();
            if (!PLAIN_TAGS.contains(node.getTag())) {
                problems.at(node, "unsupported_tag", "the tag " + quote(node.getTag().getValue().replace(Tag.PREFIX, "!!"))
                        + " is not supported; pipeline.yaml takes plain strings, numbers, booleans, lists and mappings");
            }
            if (node instanceof SequenceNode sequence) {
                sequence.getValue().forEach(pending::push);
            } else if (node instanceof MappingNode mapping) {
                for (NodeTuple tuple : mapping.getValue()) {
                    pending.push(tuple.getKeyNode());
                    pending.push(tuple.getValueNode());
                }
            }
        }
    }

    private void visit() {
        if (++visits > MAX_VISITS) {
            problems.add(1, 1, "too_many_aliases", "pipeline.yaml expands to more than " + MAX_VISITS + " values through "
                    + "aliases; repeat fewer values");
            throw new Problems.Abort();
        }
    }

    private static String position(Node node) {
        Optional<Mark> mark = node.getStartMark();
        return mark.map(m -> "line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1)).orElse("an earlier line");
    }

    /** User text in a message, quoted and cut short, with control characters made visible. */
    static String quote(String text) {
        return "'" + clip(text) + "'";
    }

    static String clip(String text) {
        String cut = text.length() <= 60 ? text : text.substring(0, 60) + "…";
        StringBuilder visible = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> {
            switch (c) {
                case '\n' -> visible.append("\\n");
                case '\t' -> visible.append("\\t");
                case '\r' -> visible.append("\\r");
                default -> {
                    if (c < 0x20 || (c >= 0x7F && c < 0xA0)) {
                        visible.append(String.format("\\u%04X", c));
                    } else {
                        visible.appendCodePoint(c);
                    }
                }
            }
        });
        return visible.toString();
    }
}
