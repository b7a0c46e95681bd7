package dev.gantry.plugins.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugins.webhook.WebhookConfig.SecretReference;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestWebhookConfig {
    @Test
    void defaultsToNoUrlTenSecondsAndNoSignature() {
        WebhookConfig config = WebhookConfig.from(new PluginConfig(Map.of()));

        assertThat(config.url()).isEmpty();
        assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.signingSecret()).isEmpty();
    }

    @Test
    void readsEverySetting() {
        WebhookConfig config = WebhookConfig.from(new PluginConfig(Map.of(
                "url", " https://hooks.example.com/services/T1/B2/token ",
                "timeout", "2500ms",
                "secret-name", "webhook-signing",
                "secret-scope", "environment:production")));

        assertThat(config.url()).contains(URI.create("https://hooks.example.com/services/T1/B2/token"));
        assertThat(config.timeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.signingSecret()).contains(new SecretReference("environment:production", "webhook-signing"));
    }

    @Test
    void aSecretWithoutAScopeIsAGlobalSecret() {
        WebhookConfig config = WebhookConfig.from(new PluginConfig(Map.of("secret-name", "webhook-signing")));

        assertThat(config.signingSecret()).contains(new SecretReference("global", "webhook-signing"));
    }

    @Test
    void readsTimeoutsAsTheServerWritesDurations() {
        assertThat(WebhookConfig.parseTimeout("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(WebhookConfig.parseTimeout("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(WebhookConfig.parseTimeout("PT0.5S")).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void refusesAMalformedOrNonPositiveTimeoutNamingTheKey() {
        assertThatThrownBy(() -> WebhookConfig.from(new PluginConfig(Map.of("timeout", "ten seconds"))))
                .hasMessage("plugin.notifier-webhook.timeout must be a duration such as 500ms, 10s, 1m or PT30S, got 'ten seconds'");
        assertThatThrownBy(() -> WebhookConfig.from(new PluginConfig(Map.of("timeout", "0s"))))
                .hasMessage("plugin.notifier-webhook.timeout must be positive, got '0s'");
    }

    @Test
    void refusesAUrlThatIsNotHttpWithoutRepeatingIt() {
        assertThatThrownBy(() -> WebhookConfig.from(new PluginConfig(Map.of("url", "ftp://files.example.com/secret-token"))))
                .hasMessage("plugin.notifier-webhook.url must be an http:// or https:// URL with a host");
        assertThatThrownBy(() -> WebhookConfig.from(new PluginConfig(Map.of("url", "https://exa mple.com/secret-token"))))
                .hasMessageStartingWith("plugin.notifier-webhook.url is not a valid URL")
                .hasMessageNotContaining("secret-token");
    }

    @Test
    void refusesAnUnknownKeySoATypoDoesNotSilentlyDropTheSignature() {
        assertThatThrownBy(() -> WebhookConfig.from(new PluginConfig(Map.of("secret_name", "webhook-signing"))))
                .hasMessage("unknown setting plugin.notifier-webhook.secret_name; the webhook notifier reads "
                        + "plugin.notifier-webhook.{secret-name, secret-scope, timeout, url}");
    }

    @Test
    void refusesAScopeWithoutASecretName() {
        assertThatThrownBy(() -> WebhookConfig.from(new PluginConfig(Map.of("secret-scope", "global"))))
                .hasMessageStartingWith("plugin.notifier-webhook.secret-scope is set but plugin.notifier-webhook.secret-name is not");
    }

    @Test
    void describesAUrlWithoutItsPathOrQuery() {
        assertThat(WebhookConfig.describe(URI.create("https://hooks.slack.com/services/T1/B2/token?x=1")))
                .isEqualTo("https://hooks.slack.com");
        assertThat(WebhookConfig.describe(URI.create("http://127.0.0.1:8080/hook"))).isEqualTo("http://127.0.0.1:8080");
    }
}
