package dev.gantry.plugins.analyzer.mannwhitney;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.metrics.SampleKind;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestMannWhitneyConfig {
    private static MannWhitneyConfig from(Map<String, String> values) {
        return MannWhitneyConfig.from(new PluginConfig(values));
    }

    @Test
    void defaultsAreKayentas() {
        MannWhitneyConfig config = from(Map.of());

        assertThat(config.minSamples(SampleKind.PER_REQUEST)).isEqualTo(100);
        assertThat(config.minSamples(SampleKind.PER_INTERVAL)).isEqualTo(10);
        assertThat(config.passScore()).isEqualTo(95);
        assertThat(config.marginalScore()).isEqualTo(75);
        assertThat(config.maxInvalidShare()).isEqualTo(0.01);
        assertThat(config).isEqualTo(MannWhitneyConfig.DEFAULTS);
    }

    @Test
    void readsEverySetting() {
        MannWhitneyConfig config = from(Map.of(
                "min-samples-per-request", " 500 ",
                "min-samples-per-interval", "20",
                "pass-score", "90",
                "marginal-score", "50.5",
                "max-invalid-share", "0.001"));

        assertThat(config).isEqualTo(new MannWhitneyConfig(500, 20, 90, 50.5, 0.001));
    }

    @Test
    void refusesAnUnknownSettingNamingTheKnownOnes() {
        assertThatThrownBy(() -> from(Map.of("min-samples", "100")))
                .hasMessage("unknown setting plugin.analyzer-mannwhitney.min-samples; the Mann-Whitney analyzer reads "
                        + "plugin.analyzer-mannwhitney.{marginal-score, max-invalid-share, min-samples-per-interval, "
                        + "min-samples-per-request, pass-score}");
    }

    @Test
    void refusesMalformedOrOutOfRangeValuesNamingTheKey() {
        assertThatThrownBy(() -> from(Map.of("min-samples-per-request", "lots")))
                .hasMessage("plugin.analyzer-mannwhitney.min-samples-per-request must be a whole number of samples, got 'lots'");
        assertThatThrownBy(() -> from(Map.of("min-samples-per-interval", "0")))
                .hasMessage("plugin.analyzer-mannwhitney.min-samples-per-interval must be at least 1, got '0'");
        assertThatThrownBy(() -> from(Map.of("pass-score", "101")))
                .hasMessage("plugin.analyzer-mannwhitney.pass-score must be a score from 0 to 100, got '101'");
        assertThatThrownBy(() -> from(Map.of("marginal-score", "NaN")))
                .hasMessage("plugin.analyzer-mannwhitney.marginal-score must be a score from 0 to 100, got 'NaN'");
        assertThatThrownBy(() -> from(Map.of("max-invalid-share", "1")))
                .hasMessage("plugin.analyzer-mannwhitney.max-invalid-share must be at least 0 and below 1, got '1'");
    }

    @Test
    void refusesAMarginalScoreAboveThePassScore() {
        assertThatThrownBy(() -> from(Map.of("pass-score", "80", "marginal-score", "85")))
                .hasMessage("plugin.analyzer-mannwhitney.marginal-score (85) must not be above "
                        + "plugin.analyzer-mannwhitney.pass-score (80): a look scoring below the marginal score fails, "
                        + "the final look needs the pass score to pass");
    }
}
