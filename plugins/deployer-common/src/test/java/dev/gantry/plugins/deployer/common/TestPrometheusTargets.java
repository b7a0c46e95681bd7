package dev.gantry.plugins.deployer.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.deploy.DeployTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestPrometheusTargets {
    private static final DeployTarget TARGET = new DeployTarget("hello", "staging", "local", Map.of(), 1);

    record Instance(String instanceId, String version, String address) implements RoutedInstance {
    }

    @TempDir
    Path dataDirectory;

    @Test
    void listsEachRunningInstanceWithItsLabelsInAFilePerTarget() throws IOException {
        PrometheusTargets targets = PrometheusTargets.in(dataDirectory, Optional.empty());

        targets.write(TARGET, List.of(new Instance("v2-0", "v2", "127.0.0.1:4003"),
                new Instance("v1-1", "v1", "127.0.0.1:4002"), new Instance("v1-0", "v1", "127.0.0.1:4001")));

        Path file = dataDirectory.resolve("prometheus-targets/hello+staging+local.json");
        assertThat(targets.file(TARGET)).isEqualTo(file);
        String text = Files.readString(file);
        assertThat(text).isEqualTo("""
                [
                  {"targets":["127.0.0.1:4001"],"labels":{"service":"hello","environment":"staging","target":"local","version":"v1","instance_id":"v1-0"}},
                  {"targets":["127.0.0.1:4002"],"labels":{"service":"hello","environment":"staging","target":"local","version":"v1","instance_id":"v1-1"}},
                  {"targets":["127.0.0.1:4003"],"labels":{"service":"hello","environment":"staging","target":"local","version":"v2","instance_id":"v2-0"}}
                ]
                """);
        assertThat(Json.parse(text)).asList().hasSize(3);
        // nothing but the file is left behind: the temporary file was renamed onto it
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void aTargetWithoutInstancesGetsAnEmptyListNotAStaleFile() throws IOException {
        PrometheusTargets targets = PrometheusTargets.in(dataDirectory, Optional.empty());
        targets.write(TARGET, List.of(new Instance("v1-0", "v1", "127.0.0.1:4001")));

        targets.write(TARGET, List.of());

        assertThat(Files.readString(targets.file(TARGET))).isEqualTo("[]\n");
        assertThat(Json.parse("[]")).asList().isEmpty();
    }

    @Test
    void theDirectorySettingIsAbsoluteOrTakenFromTheDataDirectory(@TempDir Path elsewhere) {
        assertThat(PrometheusTargets.in(dataDirectory, Optional.of(elsewhere)).directory()).isEqualTo(elsewhere);
        assertThat(PrometheusTargets.in(dataDirectory, Optional.of(Path.of("sd"))).directory())
                .isEqualTo(dataDirectory.resolve("sd"));
    }

    @Test
    void targetsWhoseNamesRunTogetherGetFilesOfTheirOwn() {
        PrometheusTargets targets = PrometheusTargets.in(dataDirectory, Optional.empty());

        assertThat(targets.file(new DeployTarget("a-b", "c", "t", Map.of(), 1)))
                .isNotEqualTo(targets.file(new DeployTarget("a", "b-c", "t", Map.of(), 1)));
        assertThatThrownBy(() -> targets.file(new DeployTarget("../x", "c", "t", Map.of(), 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
