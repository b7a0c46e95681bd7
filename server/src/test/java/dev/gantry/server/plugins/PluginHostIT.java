package dev.gantry.server.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import dev.gantry.server.testing.TestPlugins;
import dev.gantry.server.testing.TestServer;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PluginHostIT {
    private static TestServer server;
    private static Api api;
    private static final String ADMIN = TestServer.ADMIN_TOKEN;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("plugin.recorder.label", "configured-label"));
        api = server.api();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Api.Reply upload(byte[] zip) {
        return api.postBytes("/api/plugins", ADMIN, "application/zip", zip);
    }

    private static JsonNode plugin(String id) {
        return api.get("/api/plugins/" + id, ADMIN).json();
    }

    private static JsonNode testNotification() {
        Api.Reply reply = api.post("/api/notifications/test", ADMIN, "{\"message\":\"hello\"}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().get("deliveries");
    }

    @Test
    void anUploadedPluginIsListedWithItsExtensionsAndCalledWithItsOwnConfigAndClassLoader() {
        Api.Reply installed = upload(TestPlugins.recordingNotifier("recorder").zip());
        assertThat(installed.status()).as(installed.body()).isEqualTo(201);
        assertThat(installed.json().get("state").asText()).isEqualTo("started");
        assertThat(installed.json().get("extensions").get(0).get("class_name").asText()).isEqualTo("test.recorder.RecordingNotifier");
        assertThat(installed.json().get("extensions").get(0).get("extension_points").get(0).asText()).isEqualTo("Notifier");

        JsonNode listed = api.get("/api/plugins", server.tokenFor("viv", "viewer")).json().get("plugins");
        assertThat(listed.findValuesAsText("id")).contains("recorder");

        testNotification();
        assertThat(System.getProperty("gantry.test.notified.configured-label"))
                .isEqualTo("Test notification from Gantry | ApiFirstClassLoader");
    }

    @Test
    void disableStopsCallsEnableResumesThemAndBothAreAudited() {
        assertThat(upload(TestPlugins.recordingNotifier("toggle").zip()).status()).isEqualTo(201);
        Api.Reply disabled = api.post("/api/plugins/toggle/disable", ADMIN, "");
        assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);
        assertThat(disabled.json().get("state").asText()).isEqualTo("disabled");
        assertThat(disabled.json().get("enabled").asBoolean()).isFalse();
        System.clearProperty("gantry.test.notified.toggle");
        testNotification();
        assertThat(System.getProperty("gantry.test.notified.toggle")).isNull();

        Api.Reply enabled = api.post("/api/plugins/toggle/enable", ADMIN, "");
        assertThat(enabled.json().get("state").asText()).isEqualTo("started");
        testNotification();
        assertThat(System.getProperty("gantry.test.notified.toggle")).isNotNull();

        JsonNode audit = api.get("/api/audit?target=plugin:toggle", ADMIN).json().get("entries");
        assertThat(audit.findValuesAsText("action")).containsExactly("plugin.enable", "plugin.disable", "plugin.install");
    }

    @Test
    void uninstallRemovesThePluginEverywhere() throws Exception {
        assertThat(upload(TestPlugins.recordingNotifier("doomed").zip()).status()).isEqualTo(201);
        assertThat(api.delete("/api/plugins/doomed", ADMIN).status()).isEqualTo(204);
        assertThat(api.get("/api/plugins/doomed", ADMIN).status()).isEqualTo(404);
        assertThat(testNotification().findValuesAsText("plugin")).doesNotContain("doomed");
        assertThat(Files.exists(server.home().resolve("data/plugins/doomed.zip"))).isFalse();
        // and it can be installed again
        assertThat(upload(TestPlugins.recordingNotifier("doomed").zip()).status()).isEqualTo(201);
    }

    @Test
    void aPluginForAnotherApiVersionIsRefusedWithTheVersionItNeeds() {
        Api.Reply reply = upload(TestPlugins.recordingNotifier("future").requires(">=2.0.0").zip());
        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.error()).isEqualTo("incompatible_plugin");
        assertThat(reply.json().get("message").asText())
                .isEqualTo("plugin 'future' 1.0.0 needs Gantry plugin API >=2.0.0, but this server provides 0.1.0");
        assertThat(api.get("/api/plugins/future", ADMIN).status()).isEqualTo(404);
    }

    @Test
    void anExtensionWhoseConstructorAsksForTheWrongThingIsRefusedNamingTheClass() {
        byte[] zip = TestPlugins.plugin("greedy").extension("test.greedy.GreedyNotifier", """
                package test.greedy;

                public class GreedyNotifier implements dev.gantry.plugin.api.notify.Notifier {
                    public GreedyNotifier(String anything) {
                    }

                    public void send(dev.gantry.plugin.api.notify.Notification notification) {
                    }
                }
                """).zip();
        Api.Reply reply = upload(zip);
        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.error()).isEqualTo("plugin_failed_to_start");
        assertThat(reply.json().get("message").asText())
                .contains("extension test.greedy.GreedyNotifier asks for a java.lang.String in its constructor")
                .contains("its parameters may be only Clock, HttpClient, PluginConfig, PluginContext");
        assertThat(api.get("/api/plugins/greedy", ADMIN).status()).isEqualTo(404);

        byte[] twoConstructors = TestPlugins.plugin("twofold").extension("test.twofold.TwofoldNotifier", """
                package test.twofold;

                public class TwofoldNotifier implements dev.gantry.plugin.api.notify.Notifier {
                    public TwofoldNotifier() {
                    }

                    public TwofoldNotifier(java.time.Clock clock) {
                    }

                    public void send(dev.gantry.plugin.api.notify.Notification notification) {
                    }
                }
                """).zip();
        assertThat(upload(twoConstructors).json().get("message").asText())
                .contains("extension test.twofold.TwofoldNotifier must declare exactly one public constructor, found 2");
    }

    @Test
    void aCrashingExtensionIsReportedByNameAndTheServerCarriesOn() {
        assertThat(upload(TestPlugins.crashingNotifier("crasher").zip()).status()).isEqualTo(201);
        assertThat(upload(TestPlugins.recordingNotifier("survivor").zip()).status()).isEqualTo(201);
        System.clearProperty("gantry.test.notified.survivor");

        JsonNode deliveries = testNotification();
        JsonNode crashed = null;
        for (JsonNode delivery : deliveries) {
            if (delivery.get("plugin").asText().equals("crasher")) {
                crashed = delivery;
            }
        }
        assertThat(crashed).isNotNull();
        assertThat(crashed.get("delivered").asBoolean()).isFalse();
        assertThat(crashed.get("error").asText())
                .isEqualTo("plugin 'crasher' failed in CrashingNotifier.send: NullPointerException (details in the server log)");
        assertThat(System.getProperty("gantry.test.notified.survivor")).isNotNull();
        assertThat(api.get("/readyz", null).status()).isEqualTo(200);
        assertThat(api.get("/metrics", null).body())
                .contains("gantry_extension_call_duration_seconds_count{extension_point=\"Notifier\",method=\"send\",outcome=\"error\",plugin=\"crasher\"}");
    }

    @Test
    void badUploadsGetClearErrors() {
        assertThat(upload("not a zip".getBytes()).error()).isEqualTo("invalid_plugin");
        assertThat(upload(new byte[0]).error()).isEqualTo("empty_body");
        Api.Reply noDescriptor = upload(TestPlugins.plugin("x").zip().length > 0 ? zipWithout() : null);
        assertThat(noDescriptor.status()).isEqualTo(422);
        assertThat(noDescriptor.json().get("message").asText()).contains("no plugin.properties");
        assertThat(upload(TestPlugins.recordingNotifier("dupe").zip()).status()).isEqualTo(201);
        Api.Reply again = upload(TestPlugins.recordingNotifier("dupe").zip());
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.error()).isEqualTo("plugin_exists");
        assertThat(api.postBytes("/api/plugins", server.tokenFor("dev1", "developer"), "application/zip",
                TestPlugins.recordingNotifier("sneaky").zip()).status()).isEqualTo(403);
    }

    private static byte[] zipWithout() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bytes)) {
            zip.putNextEntry(new java.util.zip.ZipEntry("classes/readme.txt"));
            zip.write("no descriptor".getBytes());
            zip.closeEntry();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Test
    void aPluginThatKeepsDataGetsItsOwnMigratedSchemaAndCannotReadTheServersTables() throws Exception {
        byte[] zip = TestPlugins.plugin("notes").extension("test.notes.NotesNotifier", """
                package test.notes;

                import dev.gantry.plugin.api.PluginDatabase;
                import dev.gantry.plugin.api.notify.Notification;
                import dev.gantry.plugin.api.notify.Notifier;
                import java.sql.Connection;
                import java.sql.PreparedStatement;

                public class NotesNotifier implements Notifier {
                    private final PluginDatabase database;

                    public NotesNotifier(PluginDatabase database) {
                        this.database = database;
                    }

                    @Override
                    public void send(Notification notification) {
                        try (Connection connection = database.dataSource().getConnection();
                             PreparedStatement insert = connection.prepareStatement("insert into notes (title) values (?)")) {
                            insert.setString(1, notification.title());
                            insert.executeUpdate();
                        } catch (java.sql.SQLException e) {
                            throw new IllegalStateException(e);
                        }
                        try (Connection connection = database.dataSource().getConnection()) {
                            connection.createStatement().executeQuery("select * from public.users");
                        } catch (java.sql.SQLException e) {
                            throw new dev.gantry.plugin.api.ExtensionFailedException("confined: " + e.getMessage());
                        }
                    }
                }
                """).resource("db/migration/notes/V1__notes.sql", "create table notes (id serial primary key, title text not null);").zip();
        Api.Reply installed = upload(zip);
        assertThat(installed.status()).as(installed.body()).isEqualTo(201);

        JsonNode deliveries = testNotification();
        JsonNode notes = null;
        for (JsonNode delivery : deliveries) {
            if (delivery.get("plugin").asText().equals("notes")) {
                notes = delivery;
            }
        }
        assertThat(notes).isNotNull();
        // the insert into its own schema worked; reading the server's users table was refused by PostgreSQL
        assertThat(notes.get("error").asText()).contains("confined: ").contains("permission denied");
        String url = server.server().injector().getInstance(dev.gantry.server.persistence.Database.class).jdbcUrl();
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
             ResultSet rows = connection.createStatement().executeQuery("select title from plugin_notes.notes")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("Test notification from Gantry");
        }
    }
}
