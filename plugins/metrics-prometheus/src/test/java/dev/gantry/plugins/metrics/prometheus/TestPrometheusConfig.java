package dev.gantry.plugins.metrics.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.ExtensionFailedException;
import dev.gantry.plugin.api.PluginConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestPrometheusConfig {
    @Test
    void defaultsWhenNothingIsSet() {
        PrometheusConfig config = PrometheusConfig.from(new PluginConfig(Map.of()));

        assertThat(config.url()).isEmpty();
        assertThat(config.step()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThatThrownBy(config::requireUrl).isInstanceOf(ExtensionFailedException.class)
                .hasMessageContaining("plugin.metrics-prometheus.url");
    }

    @Test
    void readsEverySetting() {
        PrometheusConfig config = PrometheusConfig.from(new PluginConfig(Map.of(
                "url", " https://metrics.example.com/prometheus/ ", "step", "500ms", "timeout", "PT1M")));

        assertThat(config.requireUrl()).isEqualTo(URI.create("https://metrics.example.com/prometheus/"));
        assertThat(config.step()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.timeout()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void mistakesNameTheirKey() {
        assertThatThrownBy(() -> PrometheusConfig.from(new PluginConfig(Map.of("uri", "http://x:9090"))))
                .hasMessageContaining("plugin.metrics-prometheus.uri").hasMessageContaining("{step, timeout, url}");
        assertThatThrownBy(() -> PrometheusConfig.from(new PluginConfig(Map.of("url", "localhost:9090"))))
                .hasMessageContaining("plugin.metrics-prometheus.url must be an http:// or https:// URL");
        assertThatThrownBy(() -> PrometheusConfig.from(new PluginConfig(Map.of("url", "http://u:secret@x:9090"))))
                .hasMessageContaining("credentials").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> PrometheusConfig.from(new PluginConfig(Map.of("url", "http://x:9090/?a=b"))))
                .hasMessageContaining("without ?query");
        assertThatThrownBy(() -> PrometheusConfig.from(new PluginConfig(Map.of("step", "10"))))
                .hasMessageContaining("plugin.metrics-prometheus.step must be a duration");
        assertThatThrownBy(() -> PrometheusConfig.from(new PluginConfig(Map.of("timeout", "0s"))))
                .hasMessageContaining("plugin.metrics-prometheus.timeout must be at least 1ms");
    }
}
