package dev.gantry.plugins.deployer.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.deploy.DeployTarget;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TestDockerDeployerConfig {
    @Test
    void defaultsWhenNothingIsSet() {
        DockerDeployerConfig config = DockerDeployerConfig.from(new PluginConfig(Map.of()));

        assertThat(config.dockerHost()).isEqualTo(URI.create("unix:///var/run/docker.sock"));
        assertThat(config.image()).isEqualTo("gantry/busybox:1");
        assertThat(config.routerCommand()).isEmpty();
        assertThat(config.stopGrace()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.healthTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.routerStartTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.prometheusTargetsDir()).isEmpty();
    }

    @Test
    void readsEverySetting() {
        DockerDeployerConfig config = DockerDeployerConfig.from(new PluginConfig(Map.of(
                "docker-host", "tcp://127.0.0.1:2375", "image", "example/runtime:2",
                "router-command", " /opt/jdk/bin/java -cp /opt/router.jar dev.gantry.router.RouterMain ",
                "stop-grace", "0s", "health-timeout", "500ms", "router-start-timeout", "PT30S",
                "prometheus-targets-dir", "/var/lib/prometheus/gantry")));

        assertThat(config.dockerHost()).isEqualTo(URI.create("tcp://127.0.0.1:2375"));
        assertThat(config.image()).isEqualTo("example/runtime:2");
        assertThat(config.routerCommand()).isEqualTo(Optional.of(
                List.of("/opt/jdk/bin/java", "-cp", "/opt/router.jar", "dev.gantry.router.RouterMain")));
        assertThat(config.stopGrace()).isZero();
        assertThat(config.healthTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.routerSettings().startTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.prometheusTargetsDir()).contains(Path.of("/var/lib/prometheus/gantry"));
    }

    @Test
    void mistakesNameTheirKey() {
        assertThatThrownBy(() -> DockerDeployerConfig.from(new PluginConfig(Map.of("host", "unix:///x.sock"))))
                .hasMessageContaining("plugin.deployer-docker.host").hasMessageContaining("docker-host");
        assertThatThrownBy(() -> DockerDeployerConfig.from(new PluginConfig(Map.of("docker-host", "/var/run/docker.sock"))))
                .hasMessageContaining("plugin.deployer-docker.docker-host");
        assertThatThrownBy(() -> DockerDeployerConfig.from(new PluginConfig(Map.of("health-timeout", "0s"))))
                .hasMessageContaining("health-timeout must be positive");
    }

    @Test
    void containerNamesShortenLongVersionsAndStayDistinct() {
        DeployTarget target = new DeployTarget("hello", "production", "eu-1", Map.of(), 1);

        assertThat(DockerDeployer.containerName(target, "v1", 0)).isEqualTo("gantry-hello-production-eu-1-v1-0");
        String a = DockerDeployer.containerName(target, "release-0190f3a2-7c3b-7000-8000-000000000001", 2);
        String b = DockerDeployer.containerName(target, "release-0190f3a2-7c3b-7000-8000-000000000002", 2);
        assertThat(a).isNotEqualTo(b).startsWith("gantry-hello-production-eu-1-release-0190f3a2-7c3b-7000-")
                .endsWith("-2").matches("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
        // a UUID, the controller's version label, is kept whole
        assertThat(DockerDeployer.containerName(target, "0190f3a2-7c3b-7000-8000-000000000001", 0))
                .isEqualTo("gantry-hello-production-eu-1-0190f3a2-7c3b-7000-8000-000000000001-0");
    }
}
