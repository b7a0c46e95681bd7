package dev.gantry.plugins.builder.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.build.Builder;
import dev.gantry.plugin.api.build.LogSink;
import dev.gantry.plugin.api.build.StepResult;
import dev.gantry.plugin.api.build.StepSpec;
import dev.gantry.plugin.api.build.StepSpec.ResourceLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Every behaviour of {@link TestSandboxBuilder} again, each step run in a sandbox started ahead for its workspace, as
 * a build's first step is; a step that asks for what the waiting sandbox lacks (network, mounts) gets its own.
 */
class TestSandboxBuilderStartedAhead extends TestSandboxBuilder {
    private boolean concurrentSteps;

    @Override
    StepResult run(StepSpec step, LogSink sink) throws IOException {
        long before = builder.stepsStartedAhead();
        StepResult result;
        try (Builder.Prepared ahead = builder.prepare(step.workspace(), step.limits())) {
            result = builder.run(step, sink);
        }
        if (!concurrentSteps) {
            boolean fits = SandboxCommand.fitsWaiting(step, step.limits());
            assertThat(builder.stepsStartedAhead()).as("started ahead").isEqualTo(before + (fits ? 1 : 0));
        }
        return result;
    }

    /** Steps at once in one workspace: one of them at most takes the sandbox started ahead. */
    @Override
    @Test
    void runsManyStepsAtOnce() throws Exception {
        concurrentSteps = true;
        super.runsManyStepsAtOnce();
    }

    @Test
    void theCommandAndEnvironmentReachTheStepVerbatim() throws Exception {
        Lines lines = new Lines();
        String tricky = "it's \"quoted\" $HOME `id` \\ $(true)\nand a second line; exit 9";

        StepResult result = run(new StepSpec("verbatim", List.of("sh", "-c", "printf '%s|' \"$TRICKY\" \"$1\"", "sh", tricky),
                workspace, Map.of("TRICKY", tricky), List.of(), Duration.ofMinutes(1), false, Optional.empty(),
                ResourceLimits.DEFAULT), lines);

        assertThat(result.exitCode()).isZero();
        assertThat(String.join("\n", lines.all())).isEqualTo(tricky + "|" + tricky + "|");
    }

    @Test
    void aSandboxNoStepUsedIsStoppedWhenTheBuildEnds() throws Exception {
        Builder.Prepared ahead = builder.prepare(workspace, ResourceLimits.DEFAULT);
        assertThat(awaitWaiting(workspace)).isTrue();

        ahead.close();

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (waitingFor(workspace) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(waitingFor(workspace)).as("a process waiting for " + workspace).isFalse();
    }

    @Test
    void aWorkspaceReplacedAfterThePreparationGetsASandboxOfItsOwn() throws Exception {
        Path replaced = Files.createDirectory(workspace.resolve("replaced"));
        try (Builder.Prepared ahead = builder.prepare(replaced, ResourceLimits.DEFAULT)) {
            assertThat(awaitReady(replaced)).isTrue();
            Files.delete(replaced);
            Files.createDirectory(replaced);
            Files.writeString(replaced.resolve("new.txt"), "the new directory");
            Lines lines = new Lines();

            StepResult result = builder.run(new StepSpec("replaced", List.of("cat", "new.txt"), replaced, Map.of(), List.of(),
                    Duration.ofMinutes(1), false, Optional.empty(), ResourceLimits.DEFAULT), lines);

            assertThat(result.exitCode()).isZero();
            assertThat(lines.all()).containsExactly("the new directory");
        }
    }

    @Test
    void aWorkspaceMovedAfterItsSandboxWasSetUpKeepsIt() throws Exception {
        Path made = Files.createDirectory(workspace.resolve("made-ahead"));
        Path moved = workspace.resolve("moved");
        try (Builder.Prepared ahead = builder.prepare(made, ResourceLimits.DEFAULT)) {
            assertThat(awaitReady(made)).isTrue();
            Files.move(made, moved);
            Files.writeString(moved.resolve("checked-out.txt"), "written after the move");
            Lines lines = new Lines();

            StepResult result = builder.run(new StepSpec("moved", List.of("cat", "checked-out.txt"), moved, Map.of(),
                    List.of(), Duration.ofMinutes(1), false, Optional.empty(), ResourceLimits.DEFAULT), lines);

            assertThat(result.exitCode()).isZero();
            assertThat(lines.all()).containsExactly("written after the move");
            assertThat(builder.stepsStartedAhead()).isEqualTo(1);
        }
    }

    @Test
    void aWorkspaceMovedWhileItsSandboxIsSetUpStillRunsItsStep() throws Exception {
        for (int i = 0; i < 10; i++) {
            Path made = Files.createDirectory(workspace.resolve("made-" + i));
            Path moved = workspace.resolve("moved-" + i);
            try (Builder.Prepared ahead = builder.prepare(made, ResourceLimits.DEFAULT)) {
                Thread.sleep(i); // somewhere in the sandbox's setup, before or after bwrap binds the directory
                Files.move(made, moved);
                Lines lines = new Lines();

                StepResult result = builder.run(new StepSpec("moved", List.of("sh", "-c", "pwd; echo ran"), moved,
                        Map.of(), List.of(), Duration.ofMinutes(1), false, Optional.empty(), ResourceLimits.DEFAULT), lines);

                assertThat(result.exitCode()).as(lines.all().toString()).isZero();
                assertThat(lines.all()).containsExactly("/workspace", "ran");
            }
        }
    }

    @Test
    void withoutCgroupsTheStepsLimitsAreItsRlimits() throws Exception {
        SandboxBuilder rlimits = new SandboxBuilder(new PluginConfig(Map.of()), new TestWorkspace(pluginWorkspace), false);
        ResourceLimits limits = new ResourceLimits(100L * 1024 * 1024, 20, 1.0);
        Lines lines = new Lines();

        StepResult result;
        try (Builder.Prepared ahead = rlimits.prepare(workspace, limits)) {
            result = rlimits.run(new StepSpec("limits", List.of("sh", "-c", "grep -E 'data|processes' /proc/self/limits"),
                    workspace, Map.of(), List.of(), Duration.ofMinutes(1), false, Optional.empty(), limits), lines);
        }

        assertThat(result.exitCode()).isZero();
        assertThat(rlimits.stepsStartedAhead()).isEqualTo(1);
        assertThat(lines.all()).anySatisfy(line -> assertThat(line.strip()).matches("Max data size +104857600 +104857600 +bytes"));
        assertThat(lines.all()).anySatisfy(line -> assertThat(line.strip()).matches("Max processes +20 +20 +processes"));
    }

    /** Whether a sandbox's bwrap with {@code workspace} bound is running. */
    private static boolean waitingFor(Path workspace) {
        String bind = workspace.toAbsolutePath().normalize().toString();
        return ProcessHandle.allProcesses().anyMatch(process -> process.info().arguments()
                .map(List::of).map(args -> args.contains(bind) && args.contains("--bind")).orElse(false));
    }

    private boolean awaitReady(Path workspace) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!builder.readyFor(workspace) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return builder.readyFor(workspace);
    }

    private static boolean awaitWaiting(Path workspace) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!waitingFor(workspace) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return waitingFor(workspace);
    }
}
