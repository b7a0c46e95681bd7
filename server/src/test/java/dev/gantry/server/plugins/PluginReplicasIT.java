package dev.gantry.server.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.server.testing.Api;
import dev.gantry.server.testing.TestPlugins;
import dev.gantry.server.testing.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Two servers on one database: a plugin change made through one reaches the other without a restart. */
class PluginReplicasIT {
    private static final String ADMIN = TestServer.ADMIN_TOKEN;

    @Test
    void installDisableAndUninstallOnOneReplicaReachTheOther() {
        try (TestServer first = TestServer.start(); TestServer second = TestServer.start(first.settings())) {
            Api.Reply installed = first.api().postBytes("/api/plugins", ADMIN, "application/zip",
                    TestPlugins.recordingNotifier("shared").zip());
            assertThat(installed.status()).as(installed.body()).isEqualTo(201);
            awaitOn(second, reply -> reply.status() == 200 && reply.json().get("state").asText().equals("started"));

            System.clearProperty("gantry.test.notified.shared");
            assertThat(second.api().post("/api/notifications/test", ADMIN, "{}").json().get("deliveries").findValuesAsText("plugin"))
                    .contains("shared");
            assertThat(System.getProperty("gantry.test.notified.shared")).isNotNull();

            assertThat(first.api().post("/api/plugins/shared/disable", ADMIN, "").status()).isEqualTo(200);
            awaitOn(second, reply -> reply.json().get("state").asText().equals("disabled"));

            assertThat(first.api().delete("/api/plugins/shared", ADMIN).status()).isEqualTo(204);
            awaitOn(second, reply -> reply.status() == 404);
            assertThat(second.api().post("/api/notifications/test", ADMIN, "{}").json().get("deliveries").findValuesAsText("plugin"))
                    .doesNotContain("shared");
        }
    }

    /** Polls the second replica's view of the plugin until it matches, for at most ten seconds. */
    private static void awaitOn(TestServer server, Predicate<Api.Reply> expected) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        Api.Reply reply = server.api().get("/api/plugins/shared", ADMIN);
        while (!expected.test(reply) && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            reply = server.api().get("/api/plugins/shared", ADMIN);
        }
        assertThat(expected.test(reply)).as("the other replica shows: %s", reply.body()).isTrue();
    }
}
