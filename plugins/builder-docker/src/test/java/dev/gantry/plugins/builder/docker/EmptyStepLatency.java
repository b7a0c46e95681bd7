package dev.gantry.plugins.builder.docker;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.build.StepResult;
import dev.gantry.plugin.api.build.StepSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Prints the end-to-end time of an empty step ({@code true} in {@code gantry/busybox:1}) through {@link DockerBuilder}:
 * create, attach, start, wait, remove. A figure, not a test: run it by hand against the local engine, e.g.
 * {@code java -cp <test classpath> dev.gantry.plugins.builder.docker.EmptyStepLatency [runs]}.
 */
public final class EmptyStepLatency {
    private EmptyStepLatency() {}

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        DockerBuilder builder = new DockerBuilder(new PluginConfig(Map.of()), Clock.systemUTC());
        Path workspace = Files.createTempDirectory("gantry-latency");
        StepSpec step = new StepSpec("latency", List.of("true"), workspace, Map.of(), List.of(), Duration.ofMinutes(1),
                false, Optional.of(TestDockerBuilder.IMAGE), StepSpec.ResourceLimits.DEFAULT);
        builder.run(step, line -> {}); // first contact: engine info and the leftover sweep
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long started = System.nanoTime();
            StepResult result = builder.run(step, line -> {});
            millis.add((System.nanoTime() - started) / 1_000_000);
            if (!result.succeeded()) {
                throw new IllegalStateException("the empty step failed: " + result);
            }
        }
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        double median = runs % 2 == 1 ? sorted.get(runs / 2) : (sorted.get(runs / 2 - 1) + sorted.get(runs / 2)) / 2.0;
        System.out.printf("empty step, %d runs: median %.0f ms, min %d ms, max %d ms; all (ms): %s%n", runs, median,
                sorted.get(0), sorted.get(runs - 1), millis);
        Files.delete(workspace);
    }
}
