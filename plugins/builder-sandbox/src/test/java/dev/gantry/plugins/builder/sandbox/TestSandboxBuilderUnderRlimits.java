package dev.gantry.plugins.builder.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.Workspace;
import dev.gantry.plugin.api.build.StepResult;
import dev.gantry.plugin.api.build.StepSpec;
import dev.gantry.plugin.api.build.StepSpec.ResourceLimits;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every behaviour of {@link TestSandboxBuilder} again, on a host where cgroups cannot be used. */
class TestSandboxBuilderUnderRlimits extends TestSandboxBuilder {
    @Override
    SandboxBuilder newBuilder(Workspace pluginWorkspace) {
        return new SandboxBuilder(new PluginConfig(Map.of()), pluginWorkspace, false);
    }

    /** Overridden without {@code @Test}: cgroup files are what this class runs without. */
    @Override
    void theStepsCgroupCarriesItsLimits() {
    }

    @Override
    void theNextStepReusesTheEmptiedGroupWithItsOwnLimitsAndNoneOfTheEarlierStepsEvents() {
    }

    @Test
    void theStepsLimitsAreItsRlimits() throws Exception {
        Lines lines = new Lines();

        StepResult result = run(new StepSpec("limits", List.of("sh", "-c", "grep -E 'data|processes' /proc/self/limits"),
                workspace, Map.of(), List.of(), Duration.ofMinutes(1), false, Optional.empty(),
                new ResourceLimits(100L * 1024 * 1024, 20, 1.0)), lines);

        assertThat(result.exitCode()).isZero();
        assertThat(builder.cgroupVersion()).isEmpty();
        assertThat(lines.all()).anySatisfy(line -> assertThat(line.strip()).matches("Max data size +104857600 +104857600 +bytes"));
        assertThat(lines.all()).anySatisfy(line -> assertThat(line.strip()).matches("Max processes +20 +20 +processes"));
    }
}
