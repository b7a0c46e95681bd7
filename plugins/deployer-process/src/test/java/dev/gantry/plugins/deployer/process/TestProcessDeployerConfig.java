package dev.gantry.plugins.deployer.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.PluginConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TestProcessDeployerConfig {
    @Test
    void defaultsWhenNothingIsSet() {
        ProcessDeployerConfig config = ProcessDeployerConfig.from(new PluginConfig(Map.of()));

        assertThat(config.routerCommand()).isEmpty();
        assertThat(config.stopGrace()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.healthTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.routerStartTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.prometheusTargetsDir()).isEmpty();
        assertThat(config.directory(Path.of("/data/plugin-data/deployer-process")))
                .isEqualTo(Path.of("/data/plugin-data/deployer-process"));
    }

    @Test
    void readsEverySetting() {
        ProcessDeployerConfig config = ProcessDeployerConfig.from(new PluginConfig(Map.of(
                "router-command", "  /opt/jdk/bin/java -cp /opt/router.jar  dev.gantry.router.RouterMain ",
                "stop-grace", "500ms", "health-timeout", "PT2S", "router-start-timeout", "1m",
                "prometheus-targets-dir", " /var/lib/prometheus/gantry ", "state-dir", "/srv/gantry/deployer-process")));

        assertThat(config.routerCommand()).isEqualTo(Optional.of(
                List.of("/opt/jdk/bin/java", "-cp", "/opt/router.jar", "dev.gantry.router.RouterMain")));
        assertThat(config.routerCommandOrDefault()).first().isEqualTo("/opt/jdk/bin/java");
        assertThat(config.stopGrace()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.healthTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.routerStartTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.prometheusTargetsDir()).contains(Path.of("/var/lib/prometheus/gantry"));
        assertThat(config.directory(Path.of("/data/plugin-data/deployer-process"))).isEqualTo(Path.of("/srv/gantry/deployer-process"));
    }

    @Test
    void aRelativeStateDirIsTakenFromThePluginsDataDirectory() {
        ProcessDeployerConfig config = ProcessDeployerConfig.from(new PluginConfig(Map.of("state-dir", "../shared")));

        assertThat(config.directory(Path.of("/data/plugin-data/deployer-process"))).isEqualTo(Path.of("/data/plugin-data/shared"));
    }

    @Test
    void theDefaultRouterCommandIsTheLauncherBesideTheServer() {
        String before = System.getProperty("gantry.home");
        try {
            System.setProperty("gantry.home", "/opt/gantry");
            assertThat(ProcessDeployerConfig.from(new PluginConfig(Map.of())).routerCommandOrDefault())
                    .containsExactly("/opt/gantry/bin/gantry", "router");
            System.clearProperty("gantry.home");
            assertThatThrownBy(() -> ProcessDeployerConfig.from(new PluginConfig(Map.of())).routerCommandOrDefault())
                    .hasMessageContaining("plugin.deployer-process.router-command");
        } finally {
            if (before != null) {
                System.setProperty("gantry.home", before);
            }
        }
    }

    @Test
    void mistakesNameTheirKey() {
        assertThatThrownBy(() -> ProcessDeployerConfig.from(new PluginConfig(Map.of("stop-grase", "5s"))))
                .hasMessageContaining("plugin.deployer-process.stop-grase").hasMessageContaining("stop-grace");
        assertThatThrownBy(() -> ProcessDeployerConfig.from(new PluginConfig(Map.of("stop-grace", "5"))))
                .hasMessageContaining("plugin.deployer-process.stop-grace");
        assertThatThrownBy(() -> ProcessDeployerConfig.from(new PluginConfig(Map.of("health-timeout", "0s"))))
                .hasMessageContaining("health-timeout must be positive");
        assertThat(ProcessDeployerConfig.from(new PluginConfig(Map.of("stop-grace", "0s"))).stopGrace()).isZero();
    }
}
