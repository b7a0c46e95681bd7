package dev.gantry.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.server.persistence.DatabaseConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestSettings {
    private static final Path HOME = Path.of("/opt/gantry");

    private static void validate(Map<String, String> file, Map<String, String> environment) {
        Settings settings = new Settings(file, environment, "gantry.properties");
        ServerConfig.from(settings, HOME);
        DatabaseConfig.from(settings);
        settings.validate();
    }

    @Test
    void defaultsNeedNoSettings() {
        Settings settings = new Settings(Map.of(), Map.of(), "gantry.properties");
        ServerConfig config = ServerConfig.from(settings, HOME);
        settings.validate();
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.dataDir()).isEqualTo(HOME.resolve("data"));
        assertThat(config.tls()).isEmpty();
    }

    @Test
    void environmentOverridesTheFile() {
        Settings settings = new Settings(Map.of("http.port", "9000"), Map.of("GANTRY_HTTP_PORT", "9001"), "gantry.properties");
        assertThat(ServerConfig.from(settings, HOME).port()).isEqualTo(9001);
    }

    @Test
    void unknownKeyStopsStartUpNamingTheKey() {
        assertThatThrownBy(() -> validate(Map.of("http.prot", "9000"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.prot: unknown setting in gantry.properties");
    }

    @Test
    void unknownEnvironmentVariableStopsStartUp() {
        assertThatThrownBy(() -> validate(Map.of(), Map.of("GANTRY_HTTP_PROT", "9000", "GANTRY_HOME", "/opt/gantry")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("GANTRY_HTTP_PROT: unknown setting in the environment")
                .hasMessageNotContaining("GANTRY_HOME");
    }

    @Test
    void malformedValueSaysWhatIsExpected() {
        assertThatThrownBy(() -> validate(Map.of("http.port", "eighty"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.port: must be a whole number, got 'eighty'");
        assertThatThrownBy(() -> validate(Map.of("http.port", "70000"), Map.of()))
                .hasMessageContaining("http.port: must be between 0 and 65535, got 70000");
        assertThatThrownBy(() -> validate(Map.of("database.url", "postgres://db/gantry"), Map.of()))
                .hasMessageContaining("database.url: must be a PostgreSQL JDBC URL");
    }

    @Test
    void missingRequiredValueNamesTheKeyAndWhereToSetIt() {
        assertThatThrownBy(() -> validate(Map.of("tls.enabled", "true"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tls.keystore.path: is required (set it in gantry.properties or as GANTRY_TLS_KEYSTORE_PATH)")
                .hasMessageContaining("tls.keystore.password: is required");
    }

    @Test
    void aBootstrapTokenMustLookLikeAGantryToken() {
        assertThatThrownBy(() -> validate(Map.of("bootstrap.token", "just-a-long-enough-password"), Map.of()))
                .hasMessageContaining("bootstrap.token: must start with gty_ and be at least 20 characters long");
        validate(Map.of("bootstrap.token", "gty_long-enough-bootstrap-token"), Map.of());
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> validate(Map.of("http.port", "x", "nonsense", "1"), Map.of()));
        assertThat(e.problems()).hasSize(2);
    }

    @Test
    void pluginSettingsAreGroupedByPlugin() {
        Settings settings = new Settings(Map.of("plugin.notifier-webhook.url", "http://hooks", "plugin.broken", "x"),
                Map.of(), "gantry.properties");
        ServerConfig config = ServerConfig.from(settings, HOME);
        assertThat(config.pluginSettings()).containsEntry("notifier-webhook", Map.of("url", "http://hooks"));
        assertThatThrownBy(settings::validate).hasMessageContaining("plugin.broken: plugin settings are written plugin.<plugin id>.<key>");
    }

    @Test
    void durationsAcceptUnitsAndIso() {
        Settings settings = new Settings(Map.of("a", "500ms", "b", "30s", "c", "PT1H", "d", "soon"), Map.of(), "f");
        assertThat(settings.duration("a", null)).hasMillis(500);
        assertThat(settings.duration("b", null)).hasSeconds(30);
        assertThat(settings.duration("c", null)).hasHours(1);
        settings.duration("d", null);
        assertThatThrownBy(settings::validate).hasMessageContaining("d: must be a duration");
    }
}
