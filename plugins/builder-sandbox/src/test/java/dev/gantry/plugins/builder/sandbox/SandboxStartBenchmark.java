package dev.gantry.plugins.builder.sandbox;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.build.Builder;
import dev.gantry.plugin.api.build.StepResult;
import dev.gantry.plugin.api.build.StepSpec;
import dev.gantry.plugin.api.build.StepSpec.ResourceLimits;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long an empty step ({@code true}) takes end to end, with cgroup and with rlimit limits, in a sandbox started
 * ahead (the step's part only), against a bare bwrap sandbox and against starting {@code /usr/bin/true} without one.
 * Prints figures and asserts none; not run by default (the name matches no test pattern):
 * {@code ./mvnw -B -ntp -pl plugins/builder-sandbox test -Dtest=SandboxStartBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
class SandboxStartBenchmark {
    private static final int RUNS = 50;

    @Test
    void emptyStep(@TempDir Path pluginWorkspace, @TempDir Path workspace) throws Exception {
        SandboxBuilder withCgroups = new SandboxBuilder(new PluginConfig(Map.of()),
                new TestSandboxBuilder.TestWorkspace(pluginWorkspace));
        SandboxBuilder withRlimits = new SandboxBuilder(new PluginConfig(Map.of()),
                new TestSandboxBuilder.TestWorkspace(pluginWorkspace), false);
        StepSpec step = new StepSpec("bench", List.of("true"), workspace, Map.of(), List.of(), Duration.ofMinutes(1),
                false, Optional.empty(), ResourceLimits.DEFAULT);
        Files.writeString(workspace.resolve("file"), "a workspace with a file in it");
        List<String> minimal = List.of("bwrap", "--unshare-all", "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib",
                "/lib", "--symlink", "usr/lib64", "/lib64", "/usr/bin/true");

        // round-robin, so that whatever else the machine does weighs on each alike
        Map<String, List<Long>> took = new LinkedHashMap<>();
        for (int i = 0; i < RUNS + 5; i++) {
            boolean counted = i >= 5;
            measure(took, counted, "empty step, " + withCgroups.cgroupVersion().map(v -> "cgroup " + v)
                    .orElse("rlimits"), () -> check(withCgroups.run(step, line -> { })));
            measure(took, counted, "empty step, rlimits", () -> check(withRlimits.run(step, line -> { })));
            // a build's first step: its sandbox was started while the commit was checked out (given 100 ms here)
            try (Builder.Prepared ahead = withCgroups.prepare(workspace, ResourceLimits.DEFAULT)) {
                Thread.sleep(100);
                measure(took, counted, "empty step, started ahead", () -> check(withCgroups.run(step, line -> { })));
            }
            measure(took, counted, "bwrap --unshare-all, /usr only", () -> exec(minimal));
            measure(took, counted, "/usr/bin/true, no sandbox", () -> exec(List.of("/usr/bin/true")));
        }
        took.forEach((what, nanos) -> System.out.printf("%-32s %d runs: %s%n", what, RUNS, summary(nanos)));
    }

    private interface Run {
        void run() throws Exception;
    }

    private static void measure(Map<String, List<Long>> took, boolean counted, String what, Run run) throws Exception {
        long started = System.nanoTime();
        run.run();
        long nanos = System.nanoTime() - started;
        if (counted) {
            took.computeIfAbsent(what, key -> new ArrayList<>()).add(nanos);
        }
    }

    private static void check(StepResult result) {
        if (!result.succeeded()) {
            throw new AssertionError("the empty step failed: " + result);
        }
    }

    private static void exec(List<String> command) throws Exception {
        int exit = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(new File("/dev/null"))).start().waitFor();
        if (exit != 0) {
            throw new AssertionError(command + " exited with " + exit);
        }
    }

    private static String summary(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return String.format("median %.1f ms, p90 %.1f ms, min %.1f ms, max %.1f ms", ms(sorted.get(sorted.size() / 2)),
                ms(sorted.get(sorted.size() * 9 / 10)), ms(sorted.get(0)), ms(sorted.get(sorted.size() - 1)));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
