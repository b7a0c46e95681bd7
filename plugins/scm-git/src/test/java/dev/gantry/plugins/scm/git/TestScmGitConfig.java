package dev.gantry.plugins.scm.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.PluginConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestScmGitConfig {
    @Test
    void aCheckoutMayTakeTenMinutesByDefault() {
        assertThat(ScmGitConfig.from(new PluginConfig(Map.of())).checkoutTimeout()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void readsTheCheckoutTimeoutAsTheServerWritesDurations() {
        assertThat(ScmGitConfig.from(new PluginConfig(Map.of("checkout-timeout", " 90s "))).checkoutTimeout())
                .isEqualTo(Duration.ofSeconds(90));
        assertThat(ScmGitConfig.parseDuration("checkout-timeout", "2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(ScmGitConfig.parseDuration("checkout-timeout", "1h")).isEqualTo(Duration.ofHours(1));
        assertThat(ScmGitConfig.parseDuration("checkout-timeout", "1500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(ScmGitConfig.parseDuration("checkout-timeout", "PT15M")).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void refusesAMalformedOrNonPositiveTimeoutNamingTheKey() {
        assertThatThrownBy(() -> ScmGitConfig.from(new PluginConfig(Map.of("checkout-timeout", "ten minutes"))))
                .hasMessage("plugin.scm-git.checkout-timeout must be a duration such as 30s, 10m, 1h or PT10M, got 'ten minutes'");
        assertThatThrownBy(() -> ScmGitConfig.from(new PluginConfig(Map.of("checkout-timeout", "0s"))))
                .hasMessage("plugin.scm-git.checkout-timeout must be positive, got '0s'");
    }

    @Test
    void refusesAnUnknownKeySoATypoIsNotSilentlyIgnored() {
        assertThatThrownBy(() -> ScmGitConfig.from(new PluginConfig(Map.of("checkout_timeout", "5m"))))
                .hasMessage("unknown setting plugin.scm-git.checkout_timeout; the git SCM plugin reads "
                        + "plugin.scm-git.{checkout-timeout}");
    }

    @Test
    void everyProviderChecksTheSettingsWhenItIsBuilt() {
        PluginConfig typo = new PluginConfig(Map.of("timeout", "5m"));
        TestWorkspace workspace = new TestWorkspace(Path.of("target", "test-workspace"));

        assertThatThrownBy(() -> new GitHubScmProvider(typo, workspace)).hasMessageStartingWith("unknown setting");
        assertThatThrownBy(() -> new GitLabScmProvider(typo, workspace)).hasMessageStartingWith("unknown setting");
        assertThatThrownBy(() -> new GiteaScmProvider(typo, workspace)).hasMessageStartingWith("unknown setting");
    }

    @Test
    void describesDurationsAsTheyAreWritten() {
        assertThat(ScmGitConfig.describe(Duration.ofMinutes(10))).isEqualTo("10m");
        assertThat(ScmGitConfig.describe(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(ScmGitConfig.describe(Duration.ofHours(2))).isEqualTo("2h");
        assertThat(ScmGitConfig.describe(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }
}
