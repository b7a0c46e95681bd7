package dev.gantry.plugins.builder.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.PluginConfig;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestDockerBuilderConfig {
    @Test
    void defaultsToTheLocalEnginesSocket() {
        assertThat(DockerBuilderConfig.from(new PluginConfig(Map.of())).host())
                .isEqualTo(URI.create("unix:///var/run/docker.sock"));
    }

    @Test
    void takesAUnixSocketOrATcpAddress() {
        assertThat(DockerBuilderConfig.from(new PluginConfig(Map.of("host", "unix:///run/user/1000/docker.sock"))).host())
                .isEqualTo(URI.create("unix:///run/user/1000/docker.sock"));
        assertThat(DockerBuilderConfig.from(new PluginConfig(Map.of("host", " tcp://docker.internal:2375 "))).host())
                .isEqualTo(URI.create("tcp://docker.internal:2375"));
    }

    @Test
    void refusesAMalformedHostNamingTheSetting() {
        for (String host : new String[] {"/var/run/docker.sock", "http://localhost:2375", "tcp://nohost", "unix:relative.sock"}) {
            assertThatThrownBy(() -> DockerBuilderConfig.from(new PluginConfig(Map.of("host", host))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("plugin.builder-docker.host").hasMessageContaining(host);
        }
    }

    @Test
    void refusesAnUnknownSettingSoATypoIsNotIgnored() {
        assertThatThrownBy(() -> DockerBuilderConfig.from(new PluginConfig(Map.of("hots", "unix:///var/run/docker.sock"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("plugin.builder-docker.hots")
                .hasMessageContaining("plugin.builder-docker.host");
    }
}
