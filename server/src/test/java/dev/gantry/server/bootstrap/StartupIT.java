package dev.gantry.server.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.config.Settings;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.testing.TestPlugins;
import dev.gantry.server.testing.TestServer;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartupIT {
    private static final String ADMIN = TestServer.ADMIN_TOKEN;

    @Test
    void migrationsRunFromAnEmptyDatabase() throws Exception {
        try (TestServer server = TestServer.start()) {
            String url = server.server().injector().getInstance(Database.class).jdbcUrl();
            try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                 ResultSet history = connection.createStatement().executeQuery(
                         "select version, success from flyway_schema_history where version is not null order by installed_rank")) {
                assertThat(history.next()).isTrue();
                assertThat(history.getString(1)).isEqualTo("1");
                assertThat(history.getBoolean(2)).isTrue();
            }
            try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                 ResultSet tables = connection.createStatement().executeQuery(
                         "select count(*) from information_schema.tables where table_schema = 'public' "
                                 + "and table_name in ('users', 'api_tokens', 'audit_log', 'plugins', 'secrets')")) {
                tables.next();
                assertThat(tables.getInt(1)).isEqualTo(5);
            }
        }
    }

    @Test
    void bundledPluginsAreInstalledOnceAndTheirStateSurvivesARestart(@TempDir Path bundled) throws Exception {
        Files.write(bundled.resolve("bundled-recorder-1.0.0.zip"), TestPlugins.recordingNotifier("bundled-recorder").zip());
        Map<String, String> settings = new HashMap<>();
        settings.put("plugins.dir", bundled.toString());
        Map<String, String> firstSettings;
        try (TestServer first = TestServer.start(settings)) {
            JsonNode plugin = first.api().get("/api/plugins/bundled-recorder", ADMIN).json();
            assertThat(plugin.get("source").asText()).isEqualTo("bundled");
            assertThat(plugin.get("state").asText()).isEqualTo("started");
            assertThat(first.api().post("/api/plugins/bundled-recorder/disable", ADMIN, "").status()).isEqualTo(200);
            firstSettings = first.settings();
        }
        // a second server (a restart, or another replica) on the same database sees the same set and state
        try (TestServer second = TestServer.start(firstSettings)) {
            JsonNode plugin = second.api().get("/api/plugins/bundled-recorder", ADMIN).json();
            assertThat(plugin.get("state").asText()).isEqualTo("disabled");
            assertThat(plugin.get("enabled").asBoolean()).isFalse();
            JsonNode installs = second.api().get("/api/audit?action=plugin.install&target=plugin:bundled-recorder", ADMIN)
                    .json().get("entries");
            assertThat(installs).hasSize(1);
            assertThat(installs.get(0).get("actor").asText()).isEqualTo("system");
            assertThat(second.api().delete("/api/plugins/bundled-recorder", ADMIN).status()).isEqualTo(204);
        }
        // an admin's uninstall of a bundled plugin outlasts the next start
        try (TestServer third = TestServer.start(firstSettings)) {
            assertThat(third.api().get("/api/plugins/bundled-recorder", ADMIN).status()).isEqualTo(404);
        }
    }

    @Test
    void aBundledExtensionBreakingTheConstructorRuleStopsStartUpNamingTheClass(@TempDir Path bundled) throws Exception {
        Files.write(bundled.resolve("broken.zip"), TestPlugins.plugin("broken").extension("test.broken.BrokenNotifier", """
                package test.broken;

                public class BrokenNotifier implements dev.gantry.plugin.api.notify.Notifier {
                    public BrokenNotifier(javax.sql.DataSource dataSource) {
                    }

                    public void send(dev.gantry.plugin.api.notify.Notification notification) {
                    }
                }
                """).zip());
        assertThatThrownBy(() -> TestServer.start(Map.of("plugins.dir", bundled.toString())))
                .rootCause()
                .hasMessageContaining("extension test.broken.BrokenNotifier asks for a javax.sql.DataSource in its constructor");
    }

    @Test
    void anUnreachableDatabaseFailsStartUpWithTheAddress(@TempDir Path home) throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Map<String, String> settings = Map.of("http.port", "0", "http.host", "127.0.0.1",
                "database.url", "jdbc:postgresql://127.0.0.1:" + closedPort + "/gantry", "database.user", "gantry",
                "database.connect-timeout", "1s");
        GantryServer server = GantryServer.create(new Settings(settings, Map.of(), "test"), home, new PrintStream(PrintStream.nullOutputStream()));
        try {
            assertThatThrownBy(server::start)
                    .hasMessageContaining("cannot connect to PostgreSQL at jdbc:postgresql://127.0.0.1:" + closedPort + "/gantry as gantry")
                    .hasMessageContaining("Connection refused");
        } finally {
            server.close();
        }
    }
}
