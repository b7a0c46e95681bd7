package dev.gantry.server.flags;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.server.testing.Api;
import dev.gantry.server.testing.TestPlugins;
import dev.gantry.server.testing.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The hygiene job with a short stale-after: it marks settled flags stale and notifies once per version. */
class FlagHygieneIT {
    private static TestServer server;
    private static Api api;
    private static String developer;

    @BeforeAll
    static void start() {
        server = FlagServers.start(Map.of("flags.stale-after", "1s", "flags.hygiene-interval", "200ms"));
        api = server.api();
        developer = server.tokenFor("hygiene-developer", "developer");
        Api.Reply installed = api.postBytes("/api/plugins", TestServer.ADMIN_TOKEN, "application/zip", countingNotifier().zip());
        assertThat(installed.status()).as(installed.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Counts flag.stale notifications per flag in system properties, with the last title. */
    private static TestPlugins countingNotifier() {
        return TestPlugins.plugin("stale-counter").extension("test.stale.CountingNotifier", """
                package test.stale;

                import dev.gantry.plugin.api.notify.Notification;
                import dev.gantry.plugin.api.notify.Notifier;

                public class CountingNotifier implements Notifier {
                    public CountingNotifier() {
                    }

                    @Override
                    public synchronized void send(Notification notification) {
                        if (notification.event().equals("flag.stale")) {
                            String key = "gantry.test.stale." + notification.fields().get("flag");
                            System.setProperty(key, Integer.toString(Integer.getInteger(key, 0) + 1));
                            System.setProperty(key + ".text", notification.title() + " | " + notification.text());
                        }
                    }
                }
                """);
    }

    private static int notified(String key) {
        return Integer.getInteger("gantry.test.stale." + key, 0);
    }

    @Test
    void aSettledFlagUnchangedForStaleAfterIsMarkedStaleAndNotifiedOncePerVersion() {
        Api.Reply created = api.post("/api/feature-flags", developer, "{\"key\":\"done-deal\",\"owner\":\"team-a\",\"environments\":{"
                + "\"production\":{\"enabled\":true,\"rules\":[{\"serve\":{\"variant\":\"on\"}}]},\"staging\":{\"enabled\":false}}}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("stale").asBoolean()).isFalse();
        assertThat(api.post("/api/feature-flags", developer, "{\"name\":\"half-way\",\"rollout_percentage\":50}").status()).isEqualTo(201);

        JsonNode stale = await("/api/feature-flags/done-deal", flag -> flag.get("stale").asBoolean());
        assertThat(stale.get("version").asLong()).isEqualTo(1);
        awaitTrue(() -> notified("done-deal") == 1);
        assertThat(System.getProperty("gantry.test.stale.done-deal.text"))
                .contains("Flag done-deal is stale")
                .contains("production: everyone gets 'on'")
                .contains("staging: off (disabled)");
        assertThat(api.get("/api/feature-flags", developer).json().get("flags").toString())
                .contains("\"key\":\"done-deal\"").contains("\"stale\":true");

        sleep(1000); // several more runs: still one notification
        assertThat(notified("done-deal")).isEqualTo(1);
        assertThat(api.get("/api/feature-flags/half-way", developer).json().get("stale").asBoolean())
                .as("a 50 % rollout is still in progress").isFalse();
        assertThat(notified("half-way")).isZero();

        Api.Reply changed = api.method("PUT", "/api/feature-flags/done-deal", developer,
                "{\"environments\":{\"production\":{\"enabled\":false}}}", Map.of("If-Match", "\"1\""));
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.json().get("stale").asBoolean()).as("a change makes it fresh").isFalse();

        await("/api/feature-flags/done-deal", flag -> flag.get("stale").asBoolean() && flag.get("version").asLong() == 2);
        awaitTrue(() -> notified("done-deal") == 2);
    }

    private static JsonNode await(String path, Predicate<JsonNode> expected) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        JsonNode body = api.get(path, developer).json();
        while (!expected.test(body) && Instant.now().isBefore(deadline)) {
            sleep(100);
            body = api.get(path, developer).json();
        }
        assertThat(expected.test(body)).as("%s: %s", path, body).isTrue();
        return body;
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (!condition.getAsBoolean() && Instant.now().isBefore(deadline)) {
            sleep(100);
        }
        assertThat(condition.getAsBoolean()).isTrue();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
