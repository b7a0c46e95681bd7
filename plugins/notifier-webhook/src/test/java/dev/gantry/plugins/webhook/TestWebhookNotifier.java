package dev.gantry.plugins.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.plugin.api.ExtensionFailedException;
import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugin.api.Secrets;
import dev.gantry.plugin.api.notify.Notification;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TestWebhookNotifier {
    private static final ObjectMapper JACKSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Notification BUILD_FAILED = new Notification("build.failed", "Build #7 of \"shop\" failed",
            "Step test:\n  expected 'é' but got \"e\" — 🚨\tsee log", "https://gantry.example.com/builds/7",
            Map.of("repository", "acme/shop", "note", "line one\nline \"two\""), Instant.parse("2025-03-01T12:00:00Z"));

    private final Map<String, String> secretStore = new HashMap<>();
    private final Secrets secrets = (scope, name) -> Optional.ofNullable(secretStore.get(scope + "/" + name));
    private WebhookReceiver receiver;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void postsSlackCompatibleJsonToTheConfiguredUrl() throws Exception {
        notifier(Map.of("url", receiver.url().toString())).send(BUILD_FAILED);

        WebhookReceiver.Received request = receiver.only();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/services/T0/B0/s3cr3t-token");
        assertThat(request.headers().getFirst("Content-Type")).isEqualTo("application/json; charset=utf-8");
        assertThat(request.headers().getFirst("X-Gantry-Event")).isEqualTo("build.failed");
        JsonNode body = JACKSON.readTree(request.body());
        assertThat(body.get("text").asText()).contains("Build #7 of \"shop\" failed", "Step test:",
                "https://gantry.example.com/builds/7");
        assertThat(body.get("blocks").isArray()).isTrue();
        assertThat(body.at("/gantry/event").asText()).isEqualTo("build.failed");
        assertThat(body.at("/gantry/fields/repository").asText()).isEqualTo("acme/shop");
    }

    @Test
    void postsPlainHttp11EvenThroughAClientThatPrefersHttp2() {
        notifier(Map.of("url", receiver.url().toString())).send(BUILD_FAILED);

        assertThat(receiver.only().headers()).doesNotContainKeys("Upgrade", "Http2-settings");
    }

    @Test
    void quotesNewlinesTabsAndUnicodeArriveIntact() throws Exception {
        notifier(Map.of("url", receiver.url().toString())).send(BUILD_FAILED);

        WebhookReceiver.Received request = receiver.only();
        assertThat(request.bodyText()).contains("\\\"shop\\\"", "\\n  expected", "\\tsee log", "'é'", "🚨");
        JsonNode gantry = JACKSON.readTree(request.body()).get("gantry");
        assertThat(gantry.get("title").asText()).isEqualTo(BUILD_FAILED.title());
        assertThat(gantry.get("text").asText()).isEqualTo(BUILD_FAILED.text());
        assertThat(gantry.at("/fields/note").asText()).isEqualTo("line one\nline \"two\"");
    }

    @Test
    void signsTheExactBodyWithTheConfiguredSecret() throws Exception {
        secretStore.put("environment:production/webhook-signing", "correct horse battery staple");
        notifier(Map.of("url", receiver.url().toString(), "secret-name", "webhook-signing",
                "secret-scope", "environment:production")).send(BUILD_FAILED);

        WebhookReceiver.Received request = receiver.only();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("correct horse battery staple".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(request.body()));
        assertThat(request.headers().getFirst("X-Gantry-Signature-256")).isEqualTo(expected);
    }

    @Test
    void readsTheSecretAtEachSendSoARotatedSecretIsUsedAtOnce() throws Exception {
        secretStore.put("global/webhook-signing", "old");
        WebhookNotifier notifier = notifier(Map.of("url", receiver.url().toString(), "secret-name", "webhook-signing"));
        notifier.send(BUILD_FAILED);
        secretStore.put("global/webhook-signing", "new");
        notifier.send(BUILD_FAILED);

        var requests = receiver.received();
        assertThat(requests.get(0).headers().getFirst("X-Gantry-Signature-256"))
                .isEqualTo(WebhookNotifier.signature(requests.get(0).body(), "old"));
        assertThat(requests.get(1).headers().getFirst("X-Gantry-Signature-256"))
                .isEqualTo(WebhookNotifier.signature(requests.get(1).body(), "new"));
    }

    @Test
    void sendsNoSignatureWhenNoSecretIsConfigured() {
        notifier(Map.of("url", receiver.url().toString())).send(BUILD_FAILED);

        assertThat(receiver.only().headers().containsKey("X-Gantry-Signature-256")).isFalse();
    }

    @Test
    void refusesToSendUnsignedWhenTheConfiguredSecretIsMissing() {
        WebhookNotifier notifier = notifier(Map.of("url", receiver.url().toString(), "secret-name", "webhook-signing"));

        assertThatThrownBy(() -> notifier.send(BUILD_FAILED))
                .isInstanceOf(ExtensionFailedException.class)
                .hasMessageStartingWith("secret 'webhook-signing' in scope 'global' (plugin.notifier-webhook.secret-name) does not exist");
        assertThat(receiver.received()).isEmpty();
    }

    @Test
    void reportsARefusalWithItsStatusAndTheStartOfItsBody() {
        receiver.answer(404, "  no_service\n\n" + "x".repeat(500));
        WebhookNotifier notifier = notifier(Map.of("url", receiver.url().toString()));

        assertThatThrownBy(() -> notifier.send(BUILD_FAILED))
                .isInstanceOf(ExtensionFailedException.class)
                .hasMessageStartingWith("webhook " + WebhookConfig.describe(receiver.url()) + " answered 404: no_service xxx")
                .hasMessageEndingWith("x…")
                .hasMessageNotContaining("s3cr3t-token")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    }

    @Test
    void reportsAServerErrorWithoutABody() {
        receiver.answer(503, "");
        WebhookNotifier notifier = notifier(Map.of("url", receiver.url().toString()));

        assertThatThrownBy(() -> notifier.send(BUILD_FAILED))
                .isInstanceOf(ExtensionFailedException.class)
                .hasMessage("webhook " + WebhookConfig.describe(receiver.url()) + " answered 503");
    }

    @Test
    void saysWhichKeyToSetWhenNoUrlIsConfigured() {
        WebhookNotifier notifier = notifier(Map.of());

        assertThatThrownBy(() -> notifier.send(BUILD_FAILED))
                .isInstanceOf(ExtensionFailedException.class)
                .hasMessage("plugin.notifier-webhook.url is not set");
    }

    @Test
    void givesUpWhenTheReceiverDoesNotAnswerInTime() {
        receiver.holdAnswers();
        WebhookNotifier notifier = notifier(Map.of("url", receiver.url().toString(), "timeout", "200ms"));

        assertThatThrownBy(() -> notifier.send(BUILD_FAILED))
                .isInstanceOf(ExtensionFailedException.class)
                .hasMessage("webhook " + WebhookConfig.describe(receiver.url())
                        + " did not answer within 200 ms (plugin.notifier-webhook.timeout)");
    }

    @Test
    void reportsAnUnreachableReceiverWithoutItsPath() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        WebhookNotifier notifier = notifier(Map.of("url", "http://127.0.0.1:" + closedPort + "/hook/s3cr3t-token"));

        assertThatThrownBy(() -> notifier.send(BUILD_FAILED))
                .isInstanceOf(ExtensionFailedException.class)
                .hasMessageStartingWith("webhook http://127.0.0.1:" + closedPort + " could not be reached")
                .hasMessageNotContaining("s3cr3t-token");
    }

    @Test
    void refusesMalformedSettingsWhenBuiltSoThePluginDoesNotStart() {
        assertThatThrownBy(() -> notifier(Map.of("url", receiver.url().toString(), "timeout", "soon")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("plugin.notifier-webhook.timeout must be a duration");
    }

    private WebhookNotifier notifier(Map<String, String> settings) {
        return new WebhookNotifier(new PluginConfig(settings), HTTP, secrets);
    }
}
