package dev.gantry.server.pipeline;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.gantry.server.http.Json;
import dev.gantry.server.pipeline.DeploySpec.Approval;
import dev.gantry.server.pipeline.DeploySpec.BatchSize;
import dev.gantry.server.pipeline.DeploySpec.BatchUnit;
import dev.gantry.server.pipeline.DeploySpec.CanaryStep;
import dev.gantry.server.pipeline.DeploySpec.EnvironmentOverride;
import dev.gantry.server.pipeline.DeploySpec.Strategy;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TestPipelineParser {
    static final String FULL = """
            version: 1
            builder: docker
            image: gantry/busybox:1
            cancel_superseded: true
            env: {GOFLAGS: -mod=vendor}
            secrets: [NPM_TOKEN]
            agent_labels: [arm64]
            limits: {memory: 512MiB, processes: 256, cpus: 1.5}
            dependencies:
              lock_files: [package-lock.json]
              run: npm ci --cache /deps/npm
              timeout: 10m
              env: {NPM_CONFIG_LOGLEVEL: warn}
            stages:
              - name: build
                kind: build
                when:
                  branches: [main, "release/*"]
                steps:
                  - name: compile
                    run: make build
                    timeout: 5m
                    env: {X: y}
              - name: test
                steps:
                  - name: unit
                    run: [make, test]
            artifact:
              path: dist
            deploy:
              service: shop
              instances: 2
              health_path: /healthz
              strategy:
                type: canary
                steps:
                  - {weight: 1, hold: 5m}
                  - {weight: 100}
              approvals:
                production: {required: 2}
              auto_deploy: [staging]
              depends_on: [payments]
              environments:
                staging: {instances: 1, env: {LOG_LEVEL: debug}, config: {replicas: [a, b], ratio: 0.5, on: yes}}
                production: {env: {LOG_LEVEL: info}}
            """;

    @Test
    void mapsAFullPipelineToTheModel() {
        PipelineDefinition pipeline = parse(FULL);

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("replicas", List.of("a", "b"));
        config.put("ratio", 0.5);
        config.put("on", "yes"); // YAML 1.2: yes is a string, not a boolean
        PipelineDefinition expected = new PipelineDefinition(
                1, "docker", Optional.of("gantry/busybox:1"), true,
                Map.of("GOFLAGS", "-mod=vendor"), List.of("NPM_TOKEN"), List.of("arm64"),
                new Limits(512L << 20, 256, 1.5),
                Optional.of(new DependencyStep(List.of("package-lock.json"), List.of("sh", "-c", "npm ci --cache /deps/npm"),
                        Duration.ofMinutes(10), Map.of("NPM_CONFIG_LOGLEVEL", "warn"))),
                List.of(
                        new Stage("build", StageKind.BUILD, Optional.of(new When(List.of("main", "release/*"))), List.of(
                                new Step("compile", List.of("sh", "-c", "make build"), Duration.ofMinutes(5), Map.of("X", "y")))),
                        new Stage("test", StageKind.TEST, Optional.empty(), List.of(
                                new Step("unit", List.of("make", "test"), Duration.ofMinutes(30), Map.of())))),
                Optional.of(new ArtifactSpec("dist")),
                Optional.of(new DeploySpec("shop", 2, "/healthz",
                        Strategy.canary(List.of(new CanaryStep(1, Optional.of(Duration.ofMinutes(5))), new CanaryStep(100, Optional.empty()))),
                        Map.of("production", new Approval(2)), List.of("staging"), List.of("payments"),
                        Map.of("staging", new EnvironmentOverride(Optional.of(1), Map.of("LOG_LEVEL", "debug"), config),
                                "production", new EnvironmentOverride(Optional.empty(), Map.of("LOG_LEVEL", "info"), Map.of())))));
        assertThat(pipeline).isEqualTo(expected);
    }

    @Test
    void fillsInEveryDefault() {
        PipelineDefinition pipeline = parse("""
                version: 1
                stages:
                  - name: test
                    steps:
                      - {name: unit, run: make test}
                deploy:
                  service: shop
                """);

        assertThat(pipeline.builder()).isEqualTo("sandbox");
        assertThat(pipeline.image()).isEmpty();
        assertThat(pipeline.cancelSuperseded()).isFalse();
        assertThat(pipeline.limits()).isEqualTo(new Limits(2L << 30, 512, 2));
        assertThat(pipeline.stages().get(0).kind()).isEqualTo(StageKind.TEST);
        assertThat(pipeline.stages().get(0).steps().get(0).timeout()).isEqualTo(Duration.ofMinutes(30));
        DeploySpec deploy = pipeline.deploy().orElseThrow();
        assertThat(deploy.instances()).isEqualTo(1);
        assertThat(deploy.healthPath()).isEqualTo("/healthz");
        assertThat(deploy.strategy().steps()).extracting(CanaryStep::weight).containsExactly(1, 10, 50, 100);
        assertThat(deploy.strategy().steps()).extracting(CanaryStep::hold).containsExactly(
                Optional.of(Duration.ofMinutes(5)), Optional.of(Duration.ofMinutes(5)), Optional.of(Duration.ofMinutes(5)), Optional.empty());
    }

    @Test
    void readsRollingAndBlueGreenStrategies() {
        assertThat(strategy("{type: rolling, batch_size: 25%}")).isEqualTo(Strategy.rolling(new BatchSize(BatchUnit.PERCENT, 25)));
        assertThat(strategy("{type: rolling, batch_size: 3}")).isEqualTo(Strategy.rolling(new BatchSize(BatchUnit.INSTANCES, 3)));
        assertThat(strategy("{type: rolling}")).isEqualTo(Strategy.rolling(Strategy.DEFAULT_BATCH_SIZE));
        assertThat(strategy("{type: blue_green, hold: 1h30m}")).isEqualTo(Strategy.blueGreen(Duration.ofMinutes(90)));
        assertThat(new BatchSize(BatchUnit.PERCENT, 25).instancesOf(10)).isEqualTo(3);
        assertThat(new BatchSize(BatchUnit.INSTANCES, 5).instancesOf(2)).isEqualTo(2);
    }

    @Test
    void reportsATabUsedForIndentationAtItsPosition() {
        List<PipelineProblem> problems = problems("version: 1\nstages:\n  - name: build\n\tsteps: []\n");

        assertThat(problems).containsExactly(new PipelineProblem(4, 1, "tab_indentation",
                "tabs are not allowed for indentation; use spaces"));
    }

    @Test
    void reportsEveryLineIndentedWithTabs() {
        List<PipelineProblem> problems = problems("version: 1\nstages:\n\t- name: build\n\t  steps: []\n  \t\n");

        assertThat(problems).extracting(PipelineProblem::rule, PipelineProblem::line, PipelineProblem::column)
                .containsExactly(tuple("tab_indentation", 3, 1), tuple("tab_indentation", 4, 1));
    }

    @Test
    void acceptsTabsInsideABlockScalar() {
        PipelineDefinition pipeline = parse("version: 1\nstages:\n  - name: build\n    steps:\n      - name: a\n        run: |\n"
                + "          printf 'a\\tb'\n          \tindented-by-a-tab\n");

        assertThat(pipeline.stages().get(0).steps().get(0).command().get(2)).contains("\tindented-by-a-tab");
    }

    @Test
    void reportsADuplicateKeyWithWhereItWasFirstDefined() {
        List<PipelineProblem> problems = problems(minimal("      - name: unit\n        run: a\n        run: b\n"));

        assertThat(problems).containsExactly(new PipelineProblem(7, 9, "duplicate_key",
                "duplicate key 'run' in stages[0].steps[0]; it was first defined at line 6, column 9"));
    }

    @Test
    void reportsAWrongTypeWithWhatItGot() {
        List<PipelineProblem> problems = problems(minimal("      - name: unit\n        run: make\n        env: {PORT: 8080}\n"));

        assertThat(problems).containsExactly(new PipelineProblem(7, 21, "wrong_type",
                "stages[0].steps[0].env.PORT: expected a string, got a number (8080); quote it to make it a string: \"8080\""));
    }

    @Test
    void reportsAnUnknownKeyWithTheClosestAllowedOne() {
        List<PipelineProblem> problems = problems(minimal("      - name: unit\n        run: make\n        timout: 5m\n"));

        assertThat(problems).containsExactly(new PipelineProblem(7, 9, "unknown_key",
                "unknown key 'timout' in stages[0].steps[0]; did you mean 'timeout'? Allowed keys: name, run, timeout, env"));
    }

    @Test
    void listsTheAllowedKeysWhenNothingIsClose() {
        PipelineProblem problem = problems("version: 1\nfrobnicate: true\nstages: [{name: a, steps: [{name: b, run: c}]}]\n").get(0);

        assertThat(problem.rule()).isEqualTo("unknown_key");
        assertThat(problem.message()).isEqualTo("unknown key 'frobnicate' at the top level; allowed keys: version, builder, image, "
                + "cancel_superseded, env, secrets, agent_labels, limits, dependencies, stages, artifact, deploy");
    }

    @Test
    void ignoresTopLevelExtensionKeysThatHoldAnchors() {
        PipelineDefinition pipeline = parse("""
                version: 1
                x-common-env: &common {LANG: C.UTF-8}
                stages:
                  - name: build
                    steps:
                      - {name: a, run: make, env: *common}
                """);

        assertThat(pipeline.stages().get(0).steps().get(0).env()).isEqualTo(Map.of("LANG", "C.UTF-8"));
    }

    @Test
    void rejectsAFileLargerThanOneMebibyteWithoutParsingIt() {
        byte[] tenMegabytes = new byte[10 * 1024 * 1024];
        Arrays.fill(tenMegabytes, (byte) '#');

        List<PipelineProblem> problems = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> problems(tenMegabytes));

        assertThat(problems).containsExactly(new PipelineProblem(1, 1, "too_large",
                "pipeline.yaml is larger than 1 MiB (1048576 bytes), the most it may be"));
    }

    @Test
    void reportsEveryMissingRequiredKey() {
        List<PipelineProblem> problems = problems("""
                builder: sandbox
                stages:
                  - kind: test
                  - name: deploy
                    steps:
                      - name: push
                deploy: {instances: 2}
                """);

        assertThat(problems).containsExactly(
                new PipelineProblem(1, 1, "required", "'version' is required at the top level; write 'version: 1'"),
                new PipelineProblem(3, 5, "required", "'name' is required in stages[0]; give the stage a name such as 'build'"),
                new PipelineProblem(3, 5, "required", "'steps' is required in stages[0]; list at least one step with a name and a run command"),
                new PipelineProblem(6, 9, "required", "'run' is required in stages[1].steps[0]; give the command to run, as a string or a list of strings"),
                new PipelineProblem(7, 9, "required", "'service' is required in deploy; name the service this pipeline deploys, such as 'shop'"));
    }

    @Test
    void reportsMissingStages() {
        assertThat(problems("version: 1\n")).containsExactly(new PipelineProblem(1, 1, "required",
                "'stages' is required at the top level; list at least one stage with its steps"));
    }

    @Test
    void requiresCanaryWeightsToIncreaseAndEndAt100() {
        List<PipelineProblem> problems = problems(minimal("      - {name: a, run: b}\n") + """
                deploy:
                  service: shop
                  strategy:
                    steps:
                      - {weight: 10, hold: 5m}
                      - {weight: 10}
                      - {weight: 50}
                """);

        assertThat(problems).containsExactly(
                new PipelineProblem(11, 18, "invalid_value", "deploy.strategy.steps[1].weight: weights must increase from step to "
                        + "step, but 10 does not exceed 10 in the step before"),
                new PipelineProblem(12, 18, "invalid_value", "deploy.strategy.steps[2].weight: the last step must send all traffic "
                        + "to the new version: its weight must be 100, got 50"));
    }

    @Test
    void rejectsFieldsOfAnotherStrategyType() {
        List<PipelineProblem> problems = problems(minimal("      - {name: a, run: b}\n")
                + "deploy:\n  service: shop\n  strategy: {type: blue_green, batch_size: 2}\n");

        assertThat(problems).containsExactly(new PipelineProblem(8, 32, "not_allowed",
                "deploy.strategy.batch_size: only used with type: rolling (this strategy is blue_green)"));
    }

    @Test
    void requiresAnImageForDockerAndOnlyForDocker() {
        assertThat(problems("version: 1\nbuilder: docker\nstages: [{name: a, steps: [{name: b, run: c}]}]\n"))
                .containsExactly(new PipelineProblem(2, 10, "required",
                        "image is required when builder is docker; add 'image: <the image steps run in>'"));
        assertThat(problems("version: 1\nimage: gantry/busybox:1\nstages: [{name: a, steps: [{name: b, run: c}]}]\n"))
                .containsExactly(new PipelineProblem(2, 1, "not_allowed", "image is only used with builder: docker (this pipeline "
                        + "uses the sandbox builder); remove it or set 'builder: docker'"));
    }

    @Test
    void reportsMalformedDurations() {
        List<PipelineProblem> problems = problems(minimal("""
                      - {name: a, run: b, timeout: 90x}
                      - {name: c, run: d, timeout: 30}
                      - {name: e, run: f, timeout: 0s}
                      - {name: g, run: h, timeout: 25h}
                      - {name: i, run: j, timeout: 30m1h}
                      - {name: k, run: l, timeout: 1h30m}
                """));

        assertThat(problems).extracting(PipelineProblem::line, PipelineProblem::column, PipelineProblem::rule, PipelineProblem::message)
                .containsExactly(
                        tuple(5, 36, "invalid_value", "stages[0].steps[0].timeout: '90x' is not a duration; write hours, minutes "
                                + "and seconds in that order, like 30s, 5m, 1h30m or 2h"),
                        tuple(6, 36, "wrong_type", "stages[0].steps[1].timeout: expected a duration like 30s, 5m or 1h30m, got a "
                                + "number (30); add a unit, such as 30s"),
                        tuple(7, 36, "invalid_value", "stages[0].steps[2].timeout: must be more than 0s and at most 24h, got '0s'"),
                        tuple(8, 36, "invalid_value", "stages[0].steps[3].timeout: must be more than 0s and at most 24h, got '25h'"),
                        tuple(9, 36, "invalid_value", "stages[0].steps[4].timeout: '30m1h' is not a duration; write hours, minutes "
                                + "and seconds in that order, like 30s, 5m, 1h30m or 2h"));
    }

    @Test
    void reportsInvalidUtf8AtItsPosition() {
        byte[] yaml = "version: 1\nstages:\n  - name: bu?ld\n".getBytes(UTF_8);
        yaml["version: 1\nstages:\n  - name: bu".length()] = (byte) 0xFF;

        assertThat(problems(yaml)).containsExactly(new PipelineProblem(3, 13, "invalid_encoding",
                "pipeline.yaml must be UTF-8 text; byte 0xFF here does not begin a valid UTF-8 character"));
    }

    @Test
    void rejectsUtf16() {
        byte[] yaml = "\uFEFFversion: 1\n".getBytes(java.nio.charset.StandardCharsets.UTF_16LE);

        assertThat(problems(yaml)).extracting(PipelineProblem::rule).containsExactly("invalid_encoding");
    }

    @Test
    void acceptsAUtf8ByteOrderMark() {
        assertThat(parse("\uFEFF" + minimal("      - {name: a, run: b}\n")).stages()).hasSize(1);
    }

    @Test
    void reportsControlCharacters() {
        assertThat(problems("version: 1\nstages: \u0007\n")).containsExactly(new PipelineProblem(2, 9, "invalid_character",
                "the character U+0007 is not allowed in YAML; remove it"));
    }

    @Test
    void reportsAnEmptyFile() {
        PipelineProblem empty = new PipelineProblem(1, 1, "empty", "pipeline.yaml is empty; it needs at least 'version' and 'stages'");
        assertThat(problems("")).containsExactly(empty);
        assertThat(problems("  \n\n")).containsExactly(empty);
        assertThat(problems("# only a comment\n")).extracting(PipelineProblem::rule).containsExactly("empty");
        assertThat(problems("---\n...\n")).extracting(PipelineProblem::rule).containsExactly("empty");
    }

    @Test
    void rejectsABillionLaughsQuickly() {
        StringBuilder bomb = new StringBuilder("version: 1\nx-0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int level = 1; level < 10; level++) {
            bomb.append("x-").append(level).append(": &a").append(level).append(" [");
            for (int i = 0; i < 9; i++) {
                bomb.append(i == 0 ? "" : ", ").append("*a").append(level - 1);
            }
            bomb.append("]\n");
        }

        List<PipelineProblem> problems = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> problems(bomb.toString()));

        assertThat(problems).extracting(PipelineProblem::rule).containsExactly("too_many_aliases");
        assertThat(problems.get(0).line()).isEqualTo(8);
    }

    @Test
    void stopsAliasesThatExpandBeyondTheLimitWithinTheAliasBudget() {
        // 40 aliases, each doubling the previous list: few enough aliases, but 2^40 values once expanded
        StringBuilder yaml = new StringBuilder(minimal("      - {name: a, run: b}\n"))
                .append("deploy:\n  service: shop\n  environments:\n    prod:\n      config:\n        l0: &l0 [x, x]\n");
        for (int i = 1; i < 40; i++) {
            yaml.append("        l").append(i).append(": &l").append(i).append(" [*l").append(i - 1).append(", *l").append(i - 1).append("]\n");
        }

        List<PipelineProblem> problems = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> problems(yaml.toString()));

        assertThat(problems).extracting(PipelineProblem::rule).containsExactly("too_many_aliases");
    }

    @Test
    void reportsAnAliasThatContainsItself() {
        List<PipelineProblem> problems = problems(minimal("      - {name: a, run: b}\n")
                + "deploy:\n  service: shop\n  environments:\n    prod:\n      config: &loop {self: *loop}\n");

        assertThat(problems).extracting(PipelineProblem::rule, PipelineProblem::line)
                .containsExactly(tuple("recursive_alias", 10));
    }

    @Test
    void rejectsDeepNesting() {
        String deep = "version: 1\nstages: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n";

        assertThat(problems(deep)).containsExactly(new PipelineProblem(2, 72, "too_deep",
                "pipeline.yaml nests lists and mappings more than 64 levels deep"));
    }

    @Test
    void reportsASyntaxErrorAtItsPosition() {
        assertThat(problems("version: 1\nstages: [a, b\n")).extracting(PipelineProblem::line, PipelineProblem::column, PipelineProblem::rule)
                .containsExactly(tuple(3, 1, "syntax"));
        assertThat(problems("version: 1\nstages: a: b\n").get(0).message())
                .isEqualTo("YAML syntax error: mapping values are not allowed here");
    }

    @Test
    void rejectsASecondDocument() {
        assertThat(problems(minimal("      - {name: a, run: b}\n") + "---\nversion: 1\n")).containsExactly(new PipelineProblem(6, 1,
                "multiple_documents", "pipeline.yaml must hold one YAML document; a second one starts here"));
    }

    @Test
    void rejectsCustomTags() {
        assertThat(problems(minimal("      - {name: a, run: !shell make}\n"))).containsExactly(new PipelineProblem(5, 24,
                "unsupported_tag", "the tag '!shell' is not supported; pipeline.yaml takes plain strings, numbers, booleans, lists "
                + "and mappings"));
    }

    @Test
    void reportsATagHoldingAnEscapedControlCharacter() {
        // the YAML library fails on this with an IllegalArgumentException rather than its own exceptions
        assertThat(problems("version: 1\nstages: !a%18 [x]\n")).containsExactly(new PipelineProblem(2, 9, "syntax",
                "YAML error: Tag must not contain leading or trailing spaces."));
    }

    @Test
    void reportsAllProblemsTogetherSortedByPosition() {
        PipelineException failure = failure("""
                version: 2
                builder: dokcer
                secrets: NPM_TOKEN
                stages:
                  - name: Build
                    steps:
                      - {name: a, run: make, timeout: 5}
                      - {name: a, run: [make, 1]}
                limits: {memory: 2GB, cpus: 0}
                """);

        assertThat(failure.problems()).extracting(PipelineProblem::line, PipelineProblem::column, PipelineProblem::rule).containsExactly(
                tuple(1, 10, "invalid_value"),
                tuple(2, 10, "invalid_value"),
                tuple(3, 10, "wrong_type"),
                tuple(5, 11, "invalid_value"),
                tuple(7, 39, "wrong_type"),
                tuple(8, 16, "duplicate_name"),
                tuple(8, 31, "wrong_type"),
                tuple(9, 18, "invalid_value"),
                tuple(9, 29, "invalid_value"));
        assertThat(failure.problems().get(1).message()).isEqualTo("builder: 'dokcer' is not one of sandbox, docker; did you mean 'docker'?");
        assertThat(failure.getMessage()).isEqualTo("pipeline.yaml has 9 problems; the first: line 1, column 10: version: only version 1 "
                + "exists, got 2");
    }

    @Test
    void capsTheListOfProblems() {
        StringBuilder yaml = new StringBuilder(minimal("      - {name: a, run: b}\n")).append("secrets:\n");
        for (int i = 0; i < 300; i++) {
            yaml.append("  - 1bad\n");
        }

        PipelineException failure = failure(yaml.toString());

        assertThat(failure.found()).isEqualTo(300);
        assertThat(failure.problems()).hasSize(Problems.REPORTED + 1);
        assertThat(failure.problems().get(Problems.REPORTED)).isEqualTo(new PipelineProblem(107, 5, "too_many_problems",
                "200 more problems are not listed; fix these first"));
    }

    @Test
    void rejectsNamesThatBreakTheRules() {
        List<PipelineProblem> problems = problems("""
                version: 1
                secrets: [NPM_TOKEN, NPM_TOKEN]
                dependencies: {lock_files: [../secret, /etc/passwd], run: npm ci}
                stages:
                  - name: build
                    steps: [{name: a, run: b}]
                  - name: build
                    steps: [{name: a, run: b}]
                artifact: {path: ../out}
                deploy:
                  service: shop
                  health_path: healthz
                  depends_on: [shop]
                  approvals: {Production: {required: 6}}
                """);

        assertThat(problems).extracting(PipelineProblem::rule, PipelineProblem::message).containsExactly(
                tuple("duplicate_entry", "secrets[1]: 'NPM_TOKEN' is already listed at line 2, column 11"),
                tuple("invalid_value", "dependencies.lock_files[0]: '../secret' leaves the repository through '..'; give a path inside it"),
                tuple("invalid_value", "dependencies.lock_files[1]: '/etc/passwd' is absolute; give a path relative to the repository root"),
                tuple("duplicate_name", "stages[1].name: a stage named 'build' is already defined at line 5, column 11"),
                tuple("invalid_value", "artifact.path: '../out' leaves the repository through '..'; give a path inside it"),
                tuple("invalid_value", "deploy.health_path: 'healthz' is not a URL path; it must start with '/' and hold no spaces, like /healthz"),
                tuple("invalid_value", "deploy.depends_on: the service 'shop' cannot depend on itself"),
                tuple("invalid_value", "deploy.approvals.Production: 'Production' is not a valid environment name: use 1 to 63 lowercase letters, digits and '-'"),
                tuple("invalid_value", "deploy.approvals.Production.required: must be between 1 and 5, got 6"));
    }

    @Test
    void treatsYaml11BooleansAsStringsAndRejectsThemWhereABooleanBelongs() {
        assertThat(problems(minimal("      - {name: a, run: b}\n") + "cancel_superseded: yes\n")).containsExactly(new PipelineProblem(6, 20,
                "wrong_type", "cancel_superseded: expected a boolean (true or false), got a string ('yes')"));
    }

    @Test
    void serializesTheModelAsSnakeCaseJsonAndReadsItBack() throws Exception {
        PipelineDefinition pipeline = parse(FULL);
        String json = Json.write(pipeline.deploy().orElseThrow());

        assertThat(json).contains("\"health_path\":\"/healthz\"", "\"auto_deploy\":[\"staging\"]", "\"depends_on\":[\"payments\"]",
                "\"type\":\"canary\"", "{\"weight\":1,\"hold\":\"5m\"}");
        assertThat(Json.mapper().readValue(json, DeploySpec.class)).isEqualTo(pipeline.deploy().get());
        assertThat(Json.mapper().readValue(Json.write(pipeline), PipelineDefinition.class)).isEqualTo(pipeline);
    }

    @Test
    void matchesBranchGlobs() {
        When when = new When(List.of("main", "release/*", "feature/**"));

        assertThat(when.matches("main")).isTrue();
        assertThat(when.matches("release/1.2")).isTrue();
        assertThat(when.matches("release/1/fix")).isFalse();
        assertThat(when.matches("feature/a/b/c")).isTrue();
        assertThat(when.matches("mainline")).isFalse();
        assertThat(new Stage("s", StageKind.BUILD, Optional.of(when), List.of()).runsOn("dev")).isFalse();
        assertThat(new Stage("s", StageKind.BUILD, Optional.empty(), List.of()).runsOn("dev")).isTrue();
        assertThat(When.globMatches("*a*a*a*a*a*a*a*a*a*a*a*a*b", "a".repeat(200))).isFalse();
    }

    @Test
    void readsAndWritesDurations() {
        assertThat(Durations.parse("1h30m")).contains(Duration.ofMinutes(90));
        assertThat(Durations.parse("45s")).contains(Duration.ofSeconds(45));
        assertThat(Durations.parse("5m")).contains(Duration.ofMinutes(5));
        assertThat(Durations.parse("")).isEmpty();
        assertThat(Durations.parse("5 m")).isEmpty();
        assertThat(Durations.format(Duration.ofSeconds(5430))).isEqualTo("1h30m30s");
        assertThat(Durations.format(Duration.ofHours(2))).isEqualTo("2h");
    }

    @Test
    void suggestsOnlyCloseWords() {
        assertThat(Suggestions.closest("timout", List.of("name", "run", "timeout", "env"))).contains("timeout");
        assertThat(Suggestions.closest("depends-on", List.of("service", "depends_on"))).contains("depends_on");
        assertThat(Suggestions.closest("xyz", List.of("name", "run", "timeout", "env"))).isEmpty();
    }

    @Test
    void neverAcceptsNull() {
        assertThatThrownBy(() -> PipelineParser.parse(null)).isInstanceOf(NullPointerException.class);
    }

    static String minimal(String steps) {
        return "version: 1\nstages:\n  - name: build\n    steps:\n" + steps;
    }

    private static Strategy strategy(String strategy) {
        return parse(minimal("      - {name: a, run: b}\n") + "deploy:\n  service: shop\n  strategy: " + strategy + "\n")
                .deploy().orElseThrow().strategy();
    }

    static PipelineDefinition parse(String yaml) {
        return PipelineParser.parse(yaml.getBytes(UTF_8));
    }

    static List<PipelineProblem> problems(String yaml) {
        return problems(yaml.getBytes(UTF_8));
    }

    static List<PipelineProblem> problems(byte[] yaml) {
        return failure(yaml).problems();
    }

    static PipelineException failure(String yaml) {
        return failure(yaml.getBytes(UTF_8));
    }

    static PipelineException failure(byte[] yaml) {
        PipelineException failure = catchThrowableOfType(PipelineException.class, () -> PipelineParser.parse(yaml));
        assertThat(failure).as("parsing should fail").isNotNull();
        return failure;
    }

    private static org.assertj.core.groups.Tuple tuple(Object... values) {
        return org.assertj.core.groups.Tuple.tuple(values);
    }
}
